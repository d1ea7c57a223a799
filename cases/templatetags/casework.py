"""Presentation helpers of the casework screens: register grid, weekly chart, tags, pagination links.

The register grid and the chart are shaped here, in Python, so templates only loop; the chart is
plain SVG drawn on the server (no JavaScript charting library), with a data table alternative.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django import template
from django.http import QueryDict

from cases import rules
from cases.formatting import clock_time

register = template.Library()

DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DAY_FULL_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Register code categories as the legend names them; authorised leave and other authorised absence
# share a colour because both count the same way (possible, absent, authorised).
CATEGORY_CLASS = {
    rules.Category.PRESENT: "present",
    rules.Category.APPROVED_ACTIVITY: "approved-activity",
    rules.Category.AUTHORISED_LEAVE: "authorised",
    rules.Category.AUTHORISED_OTHER: "authorised",
    rules.Category.UNAUTHORISED: "unauthorised",
    rules.Category.NOT_COUNTED: "not-counted",
}
LEGEND = [
    ("present", "/ \\ L", "Present"),
    ("approved-activity", "K V P W B", "Approved educational activity"),
    ("authorised", "M I R C …", "Authorised absence"),
    ("unauthorised", "G N O U", "Unauthorised absence"),
    ("not-counted", "D X # …", "Not counted (not a possible session)"),
    ("none", "–", "No mark"),
]


@register.filter
def code_category(code: str) -> str:
    """The CSS suffix of a register code's category ('none' for an unknown code)."""
    category = rules.CATEGORY.get(code)
    return CATEGORY_CLASS.get(category, "none") if category else "none"


@register.filter
def code_meaning(code: str) -> str:
    """What a register code means (rules.CODE_MEANINGS), so no template spells a code's meaning itself."""
    return rules.code_meaning(code)


@register.filter
def clock(value) -> str:
    """A time as GOV.UK writes it: "9:30am", "2pm", "midday"."""
    return clock_time(value) if value else ""


@register.filter
def still_open(processes) -> list:
    """The processes (e.g. a case's penalty notice requests) that have not finished yet."""
    return [process for process in processes if process.finished is None]


@register.filter
def attendance_pct(pupil) -> str:
    """The pupil's attendance % from the latest scan, or an en dash when the scan has none yet."""
    snapshot = getattr(pupil, "snapshot", None)  # a missing reverse one-to-one raises AttributeError
    if snapshot is None or snapshot.attendance_pct is None:
        return "–"
    return f"{snapshot.attendance_pct}%"


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None removes one), for pagination links."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


# --- register grid ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterCell:
    code: str
    category: str
    amended: bool
    label: str  # e.g. "Monday 8 September AM", for screen readers moving cell to cell
    day: date | None = None
    session_name: str = ""  # "AM" or "PM": with ``day``, names the session a link to amend it asks for


@dataclass(frozen=True)
class RegisterWeek:
    week_start: date
    cells: list[RegisterCell]


@dataclass(frozen=True)
class RegisterGrid:
    columns: list[str]
    weeks: list[RegisterWeek]
    has_amendments: bool


def build_register_grid(
    marks: Iterable[rules.Mark], *, since: date, until: date, amended: set[tuple[date, int]]
) -> RegisterGrid:
    """Weeks (newest first) with at least one mark between ``since`` and ``until``, Monday AM to Friday
    PM, and the weekend only when a weekend mark exists."""
    by_session = {(d, s): code for d, s, code in marks if since <= d <= until}
    weekend = any(d.weekday() >= 5 for d, _ in by_session)
    days = 7 if weekend else 5
    weeks = sorted({rules.week_start(d) for d, _ in by_session}, reverse=True)
    grid_weeks = []
    for monday in weeks:
        cells = []
        for offset in range(days):
            day = monday + timedelta(days=offset)
            for session in (rules.AM, rules.PM):
                code = by_session.get((day, session), "")
                cells.append(
                    RegisterCell(
                        code=code,
                        category=code_category(code) if code else "none",
                        amended=(day, session) in amended,
                        label=f"{DAY_FULL_NAMES[offset]} {day.day} {day:%B} {rules.SESSION_NAMES[session]}",
                        day=day,
                        session_name=rules.SESSION_NAMES[session],
                    )
                )
        grid_weeks.append(RegisterWeek(week_start=monday, cells=cells))
    columns = [f"{DAY_NAMES[d]} {rules.SESSION_NAMES[s]}" for d in range(days) for s in (rules.AM, rules.PM)]
    return RegisterGrid(columns=columns, weeks=grid_weeks, has_amendments=bool(amended))


@register.inclusion_tag("cases/includes/register_legend.html")
def register_legend():
    return {"legend": LEGEND}


# --- weekly chart ----------------------------------------------------------------------------

CHART_WIDTH = 960
CHART_HEIGHT = 340
CHART_MARGIN_LEFT = 64
CHART_MARGIN_RIGHT = 64
CHART_MARGIN_TOP = 24
CHART_MARGIN_BOTTOM = 64
LOW_ATTENDANCE_PCT = 100 - rules.PERSISTENT_ABSENCE_PERCENT  # a week below 90% is persistent-absence level


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    low: bool
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str


def _nice_ceiling(value: int) -> int:
    """The next multiple of 5 (or 2 for small values) at or above ``value``, for the right axis."""
    step = 2 if value <= 10 else 5
    return max(step, math.ceil(value / step) * step)


def chart_geometry(points: Sequence[rules.WeekPoint], *, threshold: int, window_weeks: int) -> dict:
    """Coordinates of the weekly chart: bars of attendance %, the rolling-window line, the threshold."""
    left, top = CHART_MARGIN_LEFT, CHART_MARGIN_TOP
    plot_w = CHART_WIDTH - CHART_MARGIN_LEFT - CHART_MARGIN_RIGHT
    plot_h = CHART_HEIGHT - CHART_MARGIN_TOP - CHART_MARGIN_BOTTOM
    bottom, right = top + plot_h, left + plot_w
    n = max(len(points), 1)
    band = plot_w / n
    highest = max([p.unauthorised_in_window for p in points] + [threshold])
    right_max = _nice_ceiling(math.ceil(highest * 1.2))

    def y_pct(pct: float) -> float:
        return round(bottom - plot_h * pct / 100, 1)

    def y_count(count: int) -> float:
        return round(bottom - plot_h * count / right_max, 1)

    bars, line, covered_line = [], [], []
    for i, p in enumerate(points):
        centre = left + band * (i + 0.5)
        if p.attendance_pct is not None:
            # A week of 0% still gets a sliver of bar, so it reads as "none attended", not "no data".
            y = min(y_pct(p.attendance_pct), bottom - 2)
            bars.append(
                Bar(
                    x=round(centre - band * 0.35, 1),
                    y=y,
                    width=round(band * 0.7, 1),
                    height=round(bottom - y, 1),
                    low=p.attendance_pct < LOW_ATTENDANCE_PCT,
                    label=f"Week beginning {p.week_start:%-d %B %Y}: {p.attendance_pct:g}%",
                )
            )
        line.append((round(centre, 1), y_count(p.unauthorised_in_window)))
        covered_line.append((round(centre, 1), y_count(p.covered_in_window)))
    every = max(1, math.ceil(n / 12))
    x_labels = [
        XLabel(x=round(left + band * (i + 0.5), 1), label=f"{p.week_start:%-d %b}")
        for i, p in enumerate(points)
        if i % every == 0
    ]
    right_step = max(1, right_max // 5)
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "mid_y": round(top + plot_h / 2, 1),
        "mid_x": round(left + plot_w / 2, 1),
        "bars": bars,
        "line_points": " ".join(f"{x},{y}" for x, y in line),
        "dots": line,
        # Drawn only when an earlier notice (or the pupil's age) keeps some sessions from counting again.
        "covered_points": " ".join(f"{x},{y}" for x, y in covered_line)
        if any(p.covered_in_window for p in points) else "",
        "left_ticks": [Tick(y=y_pct(v), label=f"{v}%") for v in (0, 25, 50, 75, 100)],
        "right_ticks": [Tick(y=y_count(v), label=str(v)) for v in range(0, right_max + 1, right_step)],
        "threshold_y": y_count(threshold),
        "x_labels": x_labels,
        "x_label_y": bottom + 20,
        "x_title_y": CHART_HEIGHT - 8,
    }


def chart_description(points: Sequence[rules.WeekPoint], *, threshold: int, window_weeks: int) -> str:
    """A sentence a screen reader user gets instead of the picture: the shape and the latest figures."""
    weekly = [p for p in points if p.attendance_pct is not None]
    if not weekly:
        return "No school weeks recorded yet this academic year."
    lowest = min(weekly, key=lambda p: p.attendance_pct)
    latest = points[-1]
    return (
        f"{len(points)} school weeks from {points[0].week_start:%-d %B %Y} to {latest.week_start:%-d %B %Y}. "
        f"Lowest weekly attendance {lowest.attendance_pct:g}% in the week beginning {lowest.week_start:%-d %B}; "
        f"latest week {weekly[-1].attendance_pct:g}%. "
        f"Unauthorised sessions in the rolling {window_weeks}-school-week window: {latest.unauthorised_in_window} "
        f"in the latest week, against a threshold of {threshold}"
        + (
            f"; {latest.covered_in_window} of them cannot count again (an earlier notice covered them, or the "
            "pupil was not of compulsory school age)."
            if latest.covered_in_window else "."
        )
    )


@register.inclusion_tag("cases/includes/weekly_chart.html")
def weekly_chart(points: Sequence[rules.WeekPoint], conduct: rules.Conduct):
    threshold, window = conduct.threshold_sessions, conduct.threshold_school_weeks
    return {
        "points": points,
        "chart": chart_geometry(points, threshold=threshold, window_weeks=window) if points else None,
        "description": chart_description(points, threshold=threshold, window_weeks=window),
        "threshold": threshold,
        "window": window,
        "low_pct": LOW_ATTENDANCE_PCT,
    }
