"""Coordinates of the reports' charts, drawn server-side as SVG (no script, no inline style: the CSP forbids both).

Two shapes: a time chart (bars of attendance % on the left axis, a line of the persistent absence rate on the
right) for weeks and half terms, and a cohort chart (two horizontal bars per group of pupils). A suppressed row
is left out of a chart, as it is blanked in the table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from cases.reporting import Figures

WIDTH, HEIGHT = 960, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 64, 20, 60


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    label: str


def _ceiling(value: float) -> int:
    """The next multiple of 5 (at least 10) at or above ``value``: the persistent absence axis."""
    return max(10, math.ceil(value / 5) * 5)


def time_chart(rows: Sequence[Figures]) -> dict | None:
    shown = [r for r in rows if not r.suppressed and r.attendance_pct is not None]
    if not shown:
        return None
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bottom, right = TOP + plot_h, LEFT + plot_w
    band = plot_w / len(shown)
    line_max = _ceiling(max((r.persistent_pct or 0) for r in shown) * 1.2)

    def y_pct(pct: float) -> float:
        return round(bottom - plot_h * pct / 100, 1)

    def y_line(pct: float) -> float:
        return round(bottom - plot_h * pct / line_max, 1)

    bars, points = [], []
    for i, r in enumerate(shown):
        centre = LEFT + band * (i + 0.5)
        y = min(y_pct(r.attendance_pct), bottom - 2)
        bars.append(Bar(round(centre - band * 0.35, 1), y, round(band * 0.7, 1), round(bottom - y, 1),
                        f"{r.label}: attendance {r.attendance_pct:.1f}%, persistent absence {r.persistent_pct:.1f}%"))
        points.append((round(centre, 1), y_line(r.persistent_pct or 0)))
    every = max(1, math.ceil(len(shown) / 10))
    step = 5 if line_max <= 50 else 10
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": right, "top": TOP, "bottom": bottom,
        "mid_x": round(LEFT + plot_w / 2, 1), "mid_y": round(TOP + plot_h / 2, 1),
        "bars": bars, "line_points": " ".join(f"{x},{y}" for x, y in points), "dots": points,
        "left_ticks": [Text(LEFT - 8, y_pct(v), f"{v}%") for v in (0, 25, 50, 75, 100)],
        "right_ticks": [Text(right + 8, y_line(v), f"{v}%") for v in range(0, line_max + 1, step)],
        "x_labels": [Text(round(LEFT + band * (i + 0.5), 1), bottom + 20, r.label)
                     for i, r in enumerate(shown) if i % every == 0],
        "x_title_y": HEIGHT - 8,
    }


COHORT_LABEL_W, COHORT_ROW_H = 250, 40


def cohort_chart(rows: Sequence[Figures]) -> dict | None:
    shown = [r for r in rows if not r.suppressed and r.pupils]
    if not shown:
        return None
    left, right = COHORT_LABEL_W, WIDTH - 60
    plot_w = right - left
    top = 10
    height = top + COHORT_ROW_H * len(shown) + 50
    bottom = top + COHORT_ROW_H * len(shown)

    def x(pct: float) -> float:
        return round(left + plot_w * pct / 100, 1)

    groups = []
    for i, r in enumerate(shown):
        y = top + COHORT_ROW_H * i
        attendance_end, persistent_end = x(r.attendance_pct or 0), x(r.persistent_pct or 0)
        groups.append({
            "label": Text(left - 8, y + COHORT_ROW_H / 2, r.label),
            "attendance_value": Text(attendance_end + 4, y + 12.5, f"{r.attendance_pct:.1f}%"),
            "persistent_value": Text(persistent_end + 4, y + 26.5, f"{r.persistent_pct:.1f}%"),
            "attendance": Bar(left, y + 6, max(attendance_end - left, 1), 13,
                              f"{r.label}: attendance {r.attendance_pct:.1f}%"),
            "persistent": Bar(left, y + 20, max(persistent_end - left, 1), 13,
                              f"{r.label}: persistently absent {r.persistent_pct:.1f}%"),
        })
    return {
        "width": WIDTH, "height": height, "left": left, "right": right, "top": top, "bottom": bottom,
        "groups": groups, "ticks": [Text(x(v), bottom + 20, f"{v}%") for v in (0, 25, 50, 75, 100)],
        "x_title_y": height - 8, "mid_x": round(left + plot_w / 2, 1),
    }
