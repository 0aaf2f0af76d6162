"""The one colour scale of lunar days, shared by the QGIS styles and the HTML map.

Days are coloured by their position among the days present (first to last)
along viridis (perceptually ordered, readable in greyscale and by the common
colour-vision deficiencies), and every second day is shifted in lightness, so
that two neighbouring days stay distinguishable even when 100 days share the
ramp.  The scale never cycles: no two days get the same colour.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["day_colours", "day_rgb"]

#: viridis sampled at 0, 1/8, ..., 1 (matplotlib's table), RGB 0-255.
_VIRIDIS = np.array([
    (68, 1, 84), (72, 40, 120), (62, 73, 137), (49, 104, 142), (38, 130, 142),
    (31, 158, 137), (53, 183, 121), (110, 206, 88), (253, 231, 37),
], dtype="float64")

#: Lightness shift of every second day: towards white for dark colours, towards black for light.
_ALTERNATE = 0.30


def day_rgb(position: int, n_days: int) -> tuple[int, int, int]:
    """RGB (0–255) of the ``position``-th (0-based) of ``n_days`` lunar days."""
    t = 0.0 if n_days <= 1 else position / (n_days - 1)
    x = t * (len(_VIRIDIS) - 1)
    i = min(int(x), len(_VIRIDIS) - 2)
    rgb = _VIRIDIS[i] + (_VIRIDIS[i + 1] - _VIRIDIS[i]) * (x - i)
    if position % 2 == 1:
        luminance = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255.0
        target = 0.0 if luminance > 0.55 else 255.0
        rgb = rgb + (target - rgb) * _ALTERNATE
    r, g, b = (int(round(v)) for v in rgb)
    return r, g, b


def day_colours(lunar_days: Iterable[int]) -> dict[int, str]:
    """``{lunar day: "#rrggbb"}`` for the days present, in day order."""
    days = sorted({int(d) for d in lunar_days})
    return {d: "#{:02x}{:02x}{:02x}".format(*day_rgb(i, len(days))) for i, d in enumerate(days)}
