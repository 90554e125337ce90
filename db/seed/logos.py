"""The demo organizations' logos: a small PNG badge drawn here, with the standard library alone.

A rounded square in the organization's colour holding a white mark (a sparkle for the cleaning
company, a flame for the fire-safety one, a ring for any other), edges smoothed by sampling
each pixel on a grid. The same slug always gives the same bytes, so the seed stays
deterministic; ``make run`` then shows a logo on the login page without any image in the repo.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from functools import cache

SIZE = 96
# Samples per pixel along each axis: 3 x 3 smooth the edges enough at this size.
SAMPLES = 3
# Corner radius of the badge, as a fraction of its side.
CORNER = 0.22

Rgb = tuple[int, int, int]
# Whether a point of the square [-1, 1] x [-1, 1] (y down) lies inside a shape.
Shape = Callable[[float, float], bool]


def _sparkle(x: float, y: float) -> bool:
    """A four-pointed star with curved sides (an astroid), as light glinting on a surface."""
    return math.sqrt(abs(x)) + math.sqrt(abs(y)) <= 0.82


def _flame(x: float, y: float) -> bool:
    """A drop standing on its round end, pointing up."""
    cx, cy, radius, apex = 0.0, 0.2, 0.42, -0.7
    if (x - cx) ** 2 + (y - cy) ** 2 <= radius**2:
        return True
    if not apex <= y <= cy:
        return False
    # Between the two lines from the apex to the circle's widest points.
    half_width = radius * (y - apex) / (cy - apex)
    return abs(x - cx) <= half_width


def _ring(x: float, y: float) -> bool:
    return 0.3 <= math.hypot(x, y) <= 0.55


# The look of each demo organization: badge colour and mark.
LOOKS: dict[str, tuple[Rgb, Shape]] = {
    "brillanti": ((14, 116, 144), _sparkle),
    "ignis": ((185, 28, 28), _flame),
}
DEFAULT_LOOK: tuple[Rgb, Shape] = ((55, 65, 81), _ring)


def _in_badge(x: float, y: float) -> bool:
    """Inside the rounded square filling [-1, 1] x [-1, 1]."""
    inner = 1 - 2 * CORNER
    dx, dy = max(abs(x) - inner, 0.0), max(abs(y) - inner, 0.0)
    return dx * dx + dy * dy <= (2 * CORNER) ** 2


def _point(x: float, y: float, mark: Shape) -> tuple[bool, bool]:
    """(in the badge, in the mark) of a point; the mark is drawn at 80% of the badge."""
    inside = _in_badge(x, y)
    return inside, inside and mark(x / 0.8, y / 0.8)


def _coord(position: float) -> float:
    return position / SIZE * 2 - 1


def _pixel(px: int, py: int, colour: Rgb, mark: Shape) -> bytes:
    """One RGBA pixel: badge and mark coverage averaged over the samples."""
    badge = white = 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            inside, marked = _point(
                _coord(px + (sx + 0.5) / SAMPLES), _coord(py + (sy + 0.5) / SAMPLES), mark
            )
            badge += inside
            white += marked
    if badge == 0:
        return b"\0\0\0\0"
    share = white / badge
    red, green, blue = (round(c + (255 - c) * share) for c in colour)
    return bytes((red, green, blue, round(255 * badge / SAMPLES**2)))


def _image(colour: Rgb, mark: Shape) -> bytearray:
    """The PNG's filtered rows. Only pixels whose corners disagree (the edges) are sampled;
    the others are wholly transparent, badge or mark."""
    corners = [
        [_point(_coord(cx), _coord(cy), mark) for cx in range(SIZE + 1)] for cy in range(SIZE + 1)
    ]
    plain = {
        (False, False): b"\0\0\0\0",
        (True, False): bytes((*colour, 255)),
        (True, True): b"\xff\xff\xff\xff",
    }
    rows = bytearray()
    for py in range(SIZE):
        rows.append(0)  # filter type 0: the row as it is
        for px in range(SIZE):
            state = corners[py][px]
            if state == corners[py][px + 1] == corners[py + 1][px] == corners[py + 1][px + 1]:
                rows += plain[state]
            else:
                rows += _pixel(px, py, colour, mark)
    return rows


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png(colour: Rgb, mark: Shape) -> bytes:
    """A SIZE x SIZE RGBA PNG of the badge in ``colour`` with ``mark`` in white."""
    rows = _image(colour, mark)
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(bytes(rows), 9)),
            _chunk(b"IEND", b""),
        )
    )


@cache
def logo_png(slug: str) -> bytes:
    """The demo logo of the organization ``slug`` (drawn once per process)."""
    colour, mark = LOOKS.get(slug, DEFAULT_LOOK)
    return png(colour, mark)
