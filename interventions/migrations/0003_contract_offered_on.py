"""The day each contract was offered, so a parent's response can be checked against it.

Contracts offered before this field existed get the day from the chronology entry the offer wrote
("Attendance contract offered to ..."), or, still offered, from the day their status last changed.
"""

from django.db import migrations, models
from django.utils import timezone


def backfill_offered_on(apps, schema_editor):
    AttendanceContract = apps.get_model("interventions", "AttendanceContract")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    for contract in AttendanceContract.objects.exclude(status="draft").filter(offered_on__isnull=True):
        reference = f"contract:{contract.pk}"
        offer = next(
            (event for event in CaseEvent.objects.filter(
                case_id=contract.case_id, summary__startswith="Attendance contract offered").order_by("at")
             if reference in (event.evidence or [])),
            None,
        )
        if offer is not None:
            contract.offered_on = timezone.localtime(offer.at).date()
        elif contract.status == "offered":
            contract.offered_on = contract.status_changed_on
        else:
            continue
        contract.save(update_fields=["offered_on"])


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_codeofconduct_pn_issued_by"),
        ("interventions", "0002_lanotification_acknowledgement"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendancecontract",
            name="offered_on",
            field=models.DateField(blank=True, help_text="The day the contract was offered to the parents", null=True),
        ),
        migrations.RunPython(backfill_offered_on, migrations.RunPython.noop),
    ]
