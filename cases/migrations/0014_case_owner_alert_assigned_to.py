# Case owners (issue 12: lists that work) and the member of staff an alert is given to.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def owners_are_who_opened(apps, schema_editor):
    """Existing cases are owned by the person who opened them, as a new case is."""
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(owner__isnull=True).update(owner=models.F("opened_by"))


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0013_pn_consideration_decline_and_news_read'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='alert',
            name='assigned_to',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_alerts', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='case',
            name='owner',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_cases', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='kind',
            field=models.CharField(choices=[('opened', 'Case opened'), ('transition', 'Stage changed'), ('on_hold', 'Put on hold'), ('resumed', 'Resumed'), ('closed', 'Case closed'), ('note', 'Note'), ('contact', 'Contact with family'), ('non_engagement', 'Non-engagement recorded'), ('safeguarding', 'Safeguarding referral (KCSIE)'), ('meeting', 'Meeting'), ('support_plan', 'Support plan'), ('action', 'Agreed action'), ('contract', 'Attendance contract'), ('early_help', 'Early help'), ('adjustment', 'Reasonable adjustment'), ('part_time', 'Part-time timetable'), ('notification', 'Notification to the LA'), ('letter', 'Letter'), ('notice', 'Notice'), ('consideration', 'Penalty notice considerations'), ('owner', 'Case owner changed')], max_length=20),
        ),
        migrations.RunPython(owners_are_who_opened, migrations.RunPython.noop),
    ]
