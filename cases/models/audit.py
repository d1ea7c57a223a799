"""The audit trail of every read and change of a child's record, every refusal and every sign-in."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cases.errors import DomainError
from cases.models.organisations import School
from cases.models.pupils import Pupil


class AuditIsPermanent(DomainError):
    """An audit row is never changed or deleted once written."""

    def __init__(self, message: str = "Audit rows are permanent: they cannot be changed or deleted.") -> None:
        super().__init__(message)


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditIsPermanent()

    def delete(self):
        raise AuditIsPermanent()

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditIsPermanent()


class AuditEvent(models.Model):
    """Every read and change of a child's record: who, when, what, from where.

    The row keeps the person's username and the pupil's UPN as text, and its links to them have no database
    constraint and nothing happens to the row on their deletion: a deleted pupil or account leaves its trail as
    it was (on PostgreSQL a trigger refuses any UPDATE or DELETE of this table, migration 0009).
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+")
    username = models.CharField(max_length=150, blank=True, db_index=True)
    action = models.CharField(max_length=40)
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
                              related_name="+")
    upn = models.CharField("UPN", max_length=13, blank=True, db_index=True)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
                               related_name="+")
    detail = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=8, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} by {self.username or self.user_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditIsPermanent()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditIsPermanent()
