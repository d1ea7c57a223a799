"""The offence a notice or a referral rests on, stored once when the notice is issued or the referral made."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q

from cases import rules
from cases.models.pupils import Pupil


class Offence(models.Model):
    """The sessions of the rolling window in which the penalty-notice threshold was first met (domain.md 2),
    as ``cases.services.offence`` computed them on ``as_of``.

    One truth per fact: the notice to improve, each penalty notice and the prosecution referral that rest on
    it point here, and every page, letter, bundle and export reads these rows instead of computing again.
    Like a letter, it is evidence: never changed, never deleted.
    """

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="offences")
    as_of = models.DateField(help_text="The day the offence was computed: the notice's issue or the referral")
    first_met = models.DateField(help_text="The session at which the threshold was first met")
    offence_from = models.DateField(help_text="The date of the first counted session")
    offence_to = models.DateField(help_text="The date of the last counted session")
    window_starts = models.DateField(help_text="The Monday of the window's first school week")
    sessions = models.JSONField(help_text='Counted sessions: [{"date": "2026-06-04", "session": "AM", "code": "G"}]')
    covered = models.JSONField(default=list, help_text="Sessions in the window an earlier notice covered")
    not_of_age = models.JSONField(
        default=list, help_text="Sessions in the window on days the pupil was not of compulsory school age"
    )
    rule = models.CharField(max_length=200, help_text="The threshold in force, in words")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-as_of", "-pk"]
        constraints = [
            models.CheckConstraint(name="offence_in_order", condition=Q(offence_to__gte=models.F("offence_from"))),
        ]

    def __str__(self) -> str:
        return f"Offence of {self.pupil}: {len(self.sessions)} sessions, threshold met {self.first_met}"

    def save(self, *args, **kwargs):
        # What a notice rests on must not move under it: a changed register makes a new record.
        if not self._state.adding:
            raise ValueError("A recorded offence cannot be changed; compute a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A recorded offence is evidence and cannot be deleted.")

    @property
    def session_count(self) -> int:
        return len(self.sessions)

    def marks(self) -> list[rules.Mark]:
        """The counted sessions as rules.py tuples."""
        return [
            (date.fromisoformat(s["date"]), rules.AM if s["session"] == "AM" else rules.PM, s["code"])
            for s in self.sessions
        ]

    def period(self) -> rules.OffencePeriod:
        return rules.OffencePeriod(self.offence_from, self.offence_to)
