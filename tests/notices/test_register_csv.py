"""Every CSV export, fed records whose text is a formula, gives a file a spreadsheet shows as text: the finding
was a past notice with reference =HYPERLINK(...) in the LA's register coming out as a live link."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.csv_export import BOM, FORMULA_STARTS
from notices.models import PenaltyNotice, PenaltyNoticeState
from tests import factories

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://evil.example","Pay")',
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
]


def _penalty_register(payload: str, school, la_officer) -> tuple[str, dict[str, str]]:
    """A past notice with the payload in every text field a person typed; the register's CSV."""
    school.name = payload
    school.save()
    link = factories.ParentalRelationshipFactory(
        pupil__school=school, parent__forename=payload, parent__surname=payload, parent__parent_ref=payload)
    PenaltyNotice.objects.create(
        local_authority=school.local_authority, reference=payload, pupil=link.pupil, parent=link.parent,
        state=PenaltyNoticeState.WITHDRAWN, imported=True, issued_on=dt.date(2025, 1, 6),
        amount_full=Decimal("160.00"), withdrawn_on=dt.date(2025, 1, 20), withdrawn_reason=payload,
        created_at=timezone.now(),
    )
    typed = {"reference": payload, "school_name": payload, "parent_name": f"{payload} {payload}",
             "parent_ref": payload, "withdrawn_reason": payload}
    return reverse("penalty_notices:register_csv", args=[school.local_authority.code]), typed


# Every CSV export the product has: (name, a function that stores the payload and gives the URL and the
# columns that hold what was typed). cases.csv_export's own test checks no other module writes a CSV.
EXPORTS: list[tuple[str, Callable]] = [("penalty notice register", _penalty_register)]


@pytest.mark.parametrize("payload", PAYLOADS, ids=[repr(p) for p in PAYLOADS])
@pytest.mark.parametrize(("export", "build"), EXPORTS, ids=[name for name, _ in EXPORTS])
def test_every_text_cell_of_every_export_is_text_to_a_spreadsheet(client, school, la_officer, export, build, payload):
    url, typed = build(payload, school, la_officer)
    client.force_login(la_officer)
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content

    assert body.startswith(BOM.encode("utf-8"))
    header, *rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    [row] = [dict(zip(header, r, strict=True)) for r in rows]
    for column, original in typed.items():
        assert row[column] == "'" + original, column
    for column, cell in row.items():
        assert not cell.lstrip().startswith(FORMULA_STARTS) or cell.startswith("'"), column


def test_the_register_reads_back_as_the_records_with_states_as_their_labels(client, school, la_officer):
    _penalty_register("Zoë's notice, \"quoted\"", school, la_officer)
    client.force_login(la_officer)
    body = b"".join(client.get(reverse("penalty_notices:register_csv", args=["873"])).streaming_content)
    [row] = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert row["reference"] == "Zoë's notice, \"quoted\""
    assert row["state"] == "Withdrawn" and row["imported"] == "Y"
    assert (row["issued_on"], row["amount_full"], row["received_on"]) == ("2025-01-06", "160.00", "")
