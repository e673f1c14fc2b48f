"""Inline SVG charts for the scorecard: no scripts, no external resources, readable without colour.

Two chart types cover the four plots: horizontal bars with 95% CI whiskers (ASR per risk
category, fairness gaps, guard-on minus guard-off deltas; negative values grow to the left of a
zero line) and a scatter of adherence against false refusal per dimension.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

OFF_COLOUR = "#4263eb"
ON_COLOUR = "#e8590c"
SERIES_COLOURS = (OFF_COLOUR, ON_COLOUR)
FONT = 'font-family="system-ui,sans-serif" font-size="12"'
SMALL_FONT = 'font-family="system-ui,sans-serif" font-size="10"'


@dataclass(frozen=True)
class Bar:
    value: float
    low: float | None = None
    high: float | None = None
    note: str = ""


@dataclass(frozen=True)
class BarRow:
    label: str
    bars: tuple[Bar | None, ...]
    """One bar per series (``None`` where that series has no value)."""


@dataclass(frozen=True)
class Point:
    label: str
    x: float
    y: float
    x_low: float | None = None
    x_high: float | None = None
    y_low: float | None = None
    y_high: float | None = None


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _marker(series_index: int, cx: float, cy: float, colour: str, tip: str) -> str:
    """A circle for the first series, a diamond for the second: both stay visible where they overlap."""
    if series_index == 0:
        return (
            f'<circle class="point" cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{colour}">'
            f"<title>{tip}</title></circle>"
        )
    d = 5.0
    path = f"M{cx:.1f},{cy - d:.1f} L{cx + d:.1f},{cy:.1f} L{cx:.1f},{cy + d:.1f} L{cx - d:.1f},{cy:.1f} Z"
    return f'<path class="point" d="{path}" fill="{colour}" stroke="#ffffff"><title>{tip}</title></path>'


def _legend(series: Sequence[str], x: float, y: float) -> str:
    parts = []
    for i, name in enumerate(series):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        cx = x + i * 150
        parts.append(
            f'<rect x="{cx:.1f}" y="{y - 9:.1f}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{cx + 18:.1f}" y="{y + 1:.1f}" {FONT}>{escape(name)}</text>'
        )
    return "".join(parts)


def _empty(chart_id: str, title: str, message: str, width: int) -> str:
    return (
        f'<svg id="{chart_id}" class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="60" viewBox="0 0 {width} 60"><title>{escape(title)}</title>'
        f'<rect width="{width}" height="60" fill="#f8f9fa"/>'
        f'<text x="12" y="35" {FONT} fill="#5b6675">{escape(message)}</text></svg>'
    )


def bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[BarRow],
    series: Sequence[str],
    *,
    unit: str = "%",
    scale: float = 100.0,
    width: int = 760,
    domain: tuple[float, float] | None = None,
    decimals: int = 0,
    empty: str = "no data",
) -> str:
    """Horizontal bars, one group per row and one bar per series, with CI whiskers."""
    if not rows or all(b is None for r in rows for b in r.bars):
        return _empty(chart_id, title, empty, width)
    values = [v for r in rows for b in r.bars if b for v in (b.value, b.low, b.high) if v is not None]
    lo, hi = domain or (min(0.0, *values), max(0.0, *values))
    if hi - lo < 1e-9:
        hi = lo + 1.0
    label_w, right = 300, 70
    plot_w = width - label_w - right
    bar_h, gap = 11, 10
    group_h = bar_h * len(series) + gap
    top = 34
    height = top + group_h * len(rows) + 30

    def x_of(v: float) -> float:
        return label_w + (v - lo) / (hi - lo) * plot_w

    out = [
        f'<svg id="{chart_id}" class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        _legend(series, label_w, 16),
    ]
    zero = x_of(0.0)
    for tick in (lo, (lo + hi) / 2, hi, 0.0):
        tx = x_of(tick)
        out.append(f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{height - 24}" stroke="#dee2e6"/>')
        out.append(
            f'<text x="{tx:.1f}" y="{height - 8}" {FONT} text-anchor="middle" fill="#5b6675">'
            f"{tick * scale:.{decimals}f}{unit}</text>"
        )
    out.append(f'<line x1="{zero:.1f}" y1="{top - 4}" x2="{zero:.1f}" y2="{height - 24}" stroke="#495057"/>')
    for i, row in enumerate(rows):
        y0 = top + i * group_h
        out.append(
            f'<text x="{label_w - 8}" y="{y0 + bar_h * len(series) / 2 + 4:.1f}" {SMALL_FONT} '
            'text-anchor="end">'
            f"{escape(_shorten(row.label, 44))}<title>{escape(row.label)}</title></text>"
        )
        for j, bar in enumerate(row.bars):
            if bar is None:
                continue
            y = y0 + j * bar_h
            x1, x2 = sorted((zero, x_of(bar.value)))
            colour = SERIES_COLOURS[j % len(SERIES_COLOURS)]
            fmt = f".{decimals + 1}f"
            tip = f"{series[j]}: {bar.value * scale:{fmt}}{unit}"
            if bar.low is not None and bar.high is not None:
                tip += f" (95% CI {bar.low * scale:{fmt}} to {bar.high * scale:{fmt}}{unit})"
            out.append(
                f'<rect class="bar" x="{x1:.1f}" y="{y:.1f}" width="{max(x2 - x1, 1.5):.1f}" '
                f'height="{bar_h - 2}" fill="{colour}"><title>{escape(tip + bar.note)}</title></rect>'
            )
            if bar.low is not None and bar.high is not None:
                cy = y + (bar_h - 2) / 2
                out.append(
                    f'<line x1="{x_of(bar.low):.1f}" y1="{cy:.1f}" x2="{x_of(bar.high):.1f}" y2="{cy:.1f}" '
                    'stroke="#212529" stroke-width="1.2"/>'
                )
            out.append(
                f'<text x="{max(x1, x2) + 4:.1f}" y="{y + bar_h - 3:.1f}" font-family="system-ui,sans-serif" '
                f'font-size="10" fill="#343a40">{bar.value * scale:.{decimals}f}{unit}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def scatter_chart(
    chart_id: str,
    title: str,
    series: Sequence[tuple[str, Sequence[Point]]],
    *,
    x_label: str,
    y_label: str,
    size: int = 520,
    empty: str = "no data",
) -> str:
    """Points in the unit square (shown as %), with CI whiskers on both axes; one colour per series."""
    if not any(points for _, points in series):
        return _empty(chart_id, title, empty, size + 220)
    left, top, plot = 60, 40, size - 100
    width, height = size + 220, size
    out = [
        f'<svg id="{chart_id}" class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        _legend([name for name, _ in series], left, 18),
        f'<rect x="{left}" y="{top}" width="{plot}" height="{plot}" fill="none" stroke="#adb5bd"/>',
    ]

    def px(v: float) -> float:
        return left + v * plot

    def py(v: float) -> float:
        return top + (1.0 - v) * plot

    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        out.append(
            f'<line x1="{px(tick):.1f}" y1="{top}" x2="{px(tick):.1f}" y2="{top + plot}" stroke="#f1f3f5"/>'
            f'<line x1="{left}" y1="{py(tick):.1f}" x2="{left + plot}" y2="{py(tick):.1f}" stroke="#f1f3f5"/>'
            f'<text x="{px(tick):.1f}" y="{top + plot + 16}" {FONT} text-anchor="middle">{tick:.0%}</text>'
            f'<text x="{left - 6}" y="{py(tick) + 4:.1f}" {FONT} text-anchor="end">{tick:.0%}</text>'
        )
    out.append(
        f'<text x="{left + plot / 2:.1f}" y="{top + plot + 36}" {FONT} text-anchor="middle">'
        f"{escape(x_label)}</text>"
        f'<text x="16" y="{top + plot / 2:.1f}" {FONT} text-anchor="middle" '
        f'transform="rotate(-90 16 {top + plot / 2:.1f})">{escape(y_label)}</text>'
    )
    labelled: dict[tuple[int, int], int] = {}
    for i, (name, points) in enumerate(series):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        for p in points:
            cx, cy = px(p.x), py(p.y)
            if p.x_low is not None and p.x_high is not None:
                out.append(
                    f'<line x1="{px(p.x_low):.1f}" y1="{cy:.1f}" x2="{px(p.x_high):.1f}" y2="{cy:.1f}" '
                    f'stroke="{colour}" stroke-opacity="0.5"/>'
                )
            if p.y_low is not None and p.y_high is not None:
                out.append(
                    f'<line x1="{cx:.1f}" y1="{py(p.y_low):.1f}" x2="{cx:.1f}" y2="{py(p.y_high):.1f}" '
                    f'stroke="{colour}" stroke-opacity="0.5"/>'
                )
            tip = escape(f"{p.label} ({name}): adherence {p.y:.0%}, false refusal {p.x:.0%}")
            out.append(_marker(i, cx, cy, colour, tip))
            if i == 0:
                # Points on the same spot get their labels stacked instead of printed over each other.
                spot = (round(cx / 8), round(cy / 8))
                offset = labelled.get(spot, 0)
                labelled[spot] = offset + 1
                out.append(
                    f'<text x="{cx + 8:.1f}" y="{cy - 6 + 12 * offset:.1f}" {SMALL_FONT}>'
                    f"{escape(p.label)}</text>"
                )
    hint_x = left + plot + 20
    for offset, line in zip(
        (40, 24, 8), ("top left is best:", "declines what it must,", "answers what it should"), strict=True
    ):
        out.append(f'<text x="{hint_x}" y="{top + plot - offset}" {FONT} fill="#2b8a3e">{line}</text>')
    out.append("</svg>")
    return "".join(out)
