"""Hand-written SVG line charts (no JavaScript library, nothing fetched from a CDN)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Chart:
    """A polyline scaled into a ``width`` × ``height`` box, plus its axis labels."""

    points: str
    width: int
    height: int
    y_max: float
    count: int


def line_chart(values: Sequence[float], width: int = 600, height: int = 160, pad: int = 6) -> Chart:
    if not values:
        return Chart("", width, height, 0.0, 0)
    top = max(values) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    pts = " ".join(
        f"{pad + i * step:.1f},{height - pad - (v / top) * (height - 2 * pad):.1f}"
        for i, v in enumerate(values)
    )
    return Chart(pts, width, height, float(max(values)), len(values))
