"""Whether colours can be told apart by people with a colour-vision deficiency: each colour as seen
with protanopia, deuteranopia and tritanopia (the simulation matrices of Machado, Oliveira and
Fernandes 2009, severity 1, applied in linear sRGB), compared by the CIE 1976 colour difference
(ΔE*ab; about 2 is just noticeable, 10 clearly different)."""

from __future__ import annotations

import itertools
import re

#: Machado et al. (2009), table of severity 1.0, for linear RGB.
DEFICIENCIES = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
VISIONS = (None, *DEFICIENCIES)


def rgb(colour: str) -> tuple[int, int, int]:
    """``#0072b2`` or a computed style's ``rgb(0, 114, 178)`` as three integers."""
    if colour.startswith("#"):
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
    found = re.fullmatch(r"rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*[\d.]+)?\)", colour.strip())
    if not found:
        raise ValueError(f"not a colour: {colour!r}")
    red, green, blue = (int(v) for v in found.groups())
    return red, green, blue


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def lab(colour: str, vision: str | None = None) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of ``colour`` as seen with ``vision`` (None: typical colour vision)."""
    linear = [_linear(c) for c in rgb(colour)]
    if vision is not None:
        matrix = DEFICIENCIES[vision]
        linear = [min(1.0, max(0.0, sum(matrix[i][j] * linear[j] for j in range(3)))) for i in range(3)]
    x = 0.4124 * linear[0] + 0.3576 * linear[1] + 0.1805 * linear[2]
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    z = 0.0193 * linear[0] + 0.1192 * linear[1] + 0.9505 * linear[2]

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x / 0.95047), f(y), f(z / 1.08883)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def difference(first: str, second: str, vision: str | None = None) -> float:
    """ΔE*ab between two colours as seen with ``vision``."""
    return sum((a - b) ** 2 for a, b in zip(lab(first, vision), lab(second, vision))) ** 0.5


def closest_pair(colours: dict[str, str]) -> tuple[float, str, str, str]:
    """The two named colours hardest to tell apart, under any vision: (ΔE, vision, name, name)."""
    return min((difference(colours[a], colours[b], vision), str(vision or "typical"), a, b)
               for a, b in itertools.combinations(colours, 2) for vision in VISIONS)
