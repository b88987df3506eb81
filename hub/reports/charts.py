"""Charts read at a glance, drawn on the server as SVG (no script, nothing from a CDN).

Each function turns numbers into shapes with their coordinates already worked out; the
templates (``_bars.html``, ``_columns.html``, ``_stack.html``) only draw them. Every bar
can carry a link: the drill-down to the rows behind it. The SVGs scale to the page width
(``viewBox``), so they read on a phone too.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional, Sequence

WIDTH = 640
PALETTE = ("#1a6fb5", "#e07b1a", "#2e9e5b", "#b53a3a", "#7d4fb5")
AGE_COLOURS = ("#2e9e5b", "#f0c419", "#e07b1a", "#d0501a", "#b53a3a")


@dataclass(frozen=True)
class Item:
    label: str
    value: Decimal
    href: str = ""
    note: str = ""  # shown after the value (a rate's counts, a margin)


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    href: str
    note: str
    y: float
    width: float


@dataclass(frozen=True)
class Bars:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    row: int


def bars(
    items: Sequence[Item], *, width: int = WIDTH, row: int = 26, label_width: int = 190
) -> Bars:
    """Horizontal bars, biggest first as given, scaled to the biggest value."""
    top = max((i.value for i in items), default=Decimal(0))
    room = width - label_width - 120
    out = [
        Bar(
            i.label,
            i.value,
            i.href,
            i.note,
            n * row,
            float(i.value / top * room) if top > 0 and i.value > 0 else 0.0,
        )
        for n, i in enumerate(items)
    ]
    return Bars(out, width, max(len(out), 1) * row, label_width, row)


@dataclass(frozen=True)
class Column:
    label: str
    href: str
    x: float
    parts: list[tuple[float, float, str, Decimal]]  # (y, height, colour, value) per series


@dataclass(frozen=True)
class Columns:
    columns: list[Column]
    width: int
    height: int
    series: list[tuple[str, str]]  # (name, colour)
    top: Decimal
    step: float


def columns(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal]]],
    hrefs: Optional[Sequence[str]] = None,
    *,
    width: int = WIDTH,
    height: int = 180,
) -> Columns:
    """Grouped vertical columns: one group per label (a month), one column per series."""
    values = [v for _, vs in series for v in vs]
    top = max([v for v in values if v > 0], default=Decimal(0))
    step = (width - 20) / max(len(labels), 1)
    bar = step * 0.8 / max(len(series), 1)
    out = []
    for n, label in enumerate(labels):
        parts = []
        for s, (_, vs) in enumerate(series):
            v = vs[n]
            h = float(v / top * (height - 30)) if top > 0 and v > 0 else 0.0
            parts.append((height - 20 - h, h, PALETTE[s % len(PALETTE)], v))
        out.append(Column(label, hrefs[n] if hrefs else "", 10 + n * step + step * 0.1, parts))
    return Columns(
        out,
        width,
        height,
        [(name, PALETTE[s % len(PALETTE)]) for s, (name, _) in enumerate(series)],
        top,
        bar,
    )


@dataclass(frozen=True)
class Segment:
    label: str
    value: Decimal
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class Stack:
    segments: list[Segment]
    width: int
    total: Decimal


def stack(
    parts: Sequence[tuple[str, Decimal]],
    *,
    width: int = WIDTH,
    colours: Sequence[str] = AGE_COLOURS,
) -> Stack:
    """One bar split into parts (receivables by age): each part's share of the whole."""
    total = sum((v for _, v in parts if v > 0), Decimal(0))
    x, out = 0.0, []
    for n, (label, v) in enumerate(parts):
        w = float(v / total * width) if total > 0 and v > 0 else 0.0
        out.append(Segment(label, v, x, w, colours[n % len(colours)]))
        x += w
    return Stack(out, width, total)
