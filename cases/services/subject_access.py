"""A subject access request: everything held about one pupil and their parents, as a ZIP of JSON and PDFs.

What is held is found by following every foreign key of the casework apps from the pupil: the pupil's own
records (marks, amendments, snapshot, alerts, adjustments, leave, letters, offence records, audit rows)
and their cases, and from each record found, the records filed under it (a case's chronology, meetings
and their attendees, plans, contracts and their parties, notices, LA requests and referrals). The parents
are those linked to the pupil, with the links. A model added later is included without a change here.
Stored files (letters' PDFs) go in the ZIP as files, named in the JSON where the bytes would be.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from datetime import datetime

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from cases.audit import audit
from cases.models import Parent, ParentalRelationship, Pupil

APPS = ("cases", "interventions", "notices", "meetings")
# Records of the organisation, not of the child: reached through a foreign key but never followed from.
NOT_FOLLOWED = ("cases.School", "cases.LocalAuthority", "cases.CodeOfConduct", "cases.Parent", "notices.LetterBatch")
MAX_DEPTH = 6


def _models():
    return [model for name in APPS for model in apps.get_app_config(name).get_models()]


def subject_records(pupil: Pupil) -> dict[type[models.Model], set[int]]:
    """Ids of every record held about the pupil, by model (see the module docstring)."""
    found: dict[type[models.Model], set[int]] = defaultdict(set)
    found[Pupil].add(pupil.pk)
    links = ParentalRelationship.objects.filter(pupil=pupil)
    found[ParentalRelationship] |= set(links.values_list("pk", flat=True))
    found[Parent] |= set(links.values_list("parent_id", flat=True))
    for _ in range(MAX_DEPTH):
        grew = False
        for model in _models():
            for field in model._meta.concrete_fields:
                target = field.related_model if field.is_relation else None
                if target is None or target not in found or target._meta.label in NOT_FOLLOWED:
                    continue
                ids = set(model._default_manager.filter(**{f"{field.name}__in": found[target]})
                          .values_list("pk", flat=True))
                if ids - found[model]:
                    found[model] |= ids
                    grew = True
        if not grew:
            break
    return found


def subject_access_export(*, pupil: Pupil, by=None, now: datetime | None = None) -> bytes:
    """The ZIP: records/<app.Model>.json for each kind of record, files/ for stored PDFs, and README.txt."""
    now = now or timezone.now()
    found = subject_records(pupil)
    buffer = io.BytesIO()
    summary: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for model in sorted(found, key=lambda m: m._meta.label):
            binary = [f.name for f in model._meta.concrete_fields if isinstance(f, models.BinaryField)]
            rows = model._default_manager.filter(pk__in=found[model]).order_by("pk")
            records = []
            for obj in rows:
                [record] = serializers.serialize("python", [obj])
                for name in binary:
                    content = getattr(obj, name)
                    if content:
                        path = f"files/{model._meta.label}-{obj.pk}-{name}.pdf"
                        archive.writestr(path, bytes(content))
                        record["fields"][name] = path
                    else:
                        record["fields"][name] = None
                records.append(record)
            summary[model._meta.label] = len(records)
            archive.writestr(f"records/{model._meta.label}.json",
                             json.dumps(records, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
        archive.writestr("README.txt", _readme(pupil, now, summary))
    audit(user=by, action="subject_access.export", pupil=pupil,
          detail=f"subject access export for {pupil.upn}: {sum(summary.values())} records")
    return buffer.getvalue()


def _readme(pupil: Pupil, now: datetime, summary: dict[str, int]) -> str:
    lines = [
        f"Subject access export for {pupil.forename} {pupil.surname} (UPN {pupil.upn}) and their parents,",
        f"made {timezone.localtime(now).isoformat(timespec='minutes')}.",
        "",
        "records/ holds one JSON file per kind of record (Django's serialisation: model, pk, fields);",
        "a foreign key is the id of the record it points to. files/ holds the stored letters as PDFs,",
        "named in the JSON where the file's bytes are stored.",
        "",
        "Records:",
        *(f"  {label}: {count}" for label, count in summary.items()),
    ]
    return "\n".join(lines) + "\n"
