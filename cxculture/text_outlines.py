"""Texts drawn as filled shapes: many short texts of a chart (its numbers, its item texts) as
one matplotlib collection instead of one text object each.

In a PNG a text is pixels either way, and the shapes are the font's own glyph outlines, drawn
with the same anti-aliasing; but a hundred text objects cost more to lay out and draw, glyph by
glyph, than the whole picture around them. Each glyph's outline is read from the font once per
process and reused for every chart. A collection keeps its texts, their size and where they
went (``OutlinedTexts``), so that a drawn figure can still be read back and checked.

Pure: no Flask, no database, never pyplot.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import FT2Font
from matplotlib.path import Path
from matplotlib.textpath import TextToPath
from matplotlib.transforms import Affine2D, Bbox, Transform

Across = Literal["left", "center", "right"]
Down = Literal["top", "center"]

_TEXT_PATH = TextToPath()
# Each glyph's outline, read from the font once, in TextToPath.FONT_SCALE units.
_GLYPHS: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def _font() -> FT2Font:
    font = get_font(findfont(FontProperties()))
    font.set_size(_TEXT_PATH.FONT_SCALE, _TEXT_PATH.DPI)
    return font


def _line(text: str) -> tuple[np.ndarray, np.ndarray, float]:
    """One line as outline vertices and codes from its start on the baseline, and its
    advance width, in points of a 1-point font."""
    with warnings.catch_warnings():
        # A glyph the font lacks is drawn as its empty box, as a text object would draw it.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        glyphs, new, _boxes = _TEXT_PATH.get_glyphs_with_font(
            _font(), text, glyph_map=_GLYPHS, return_new_glyphs_only=True
        )
        width = _TEXT_PATH.get_text_width_height_descent(text, FontProperties(size=1), False)[0]
    _GLYPHS.update(new)
    scale = 1 / _TEXT_PATH.FONT_SCALE
    shapes = [
        ((_GLYPHS[glyph][0] + (x, y)) * scale, _GLYPHS[glyph][1]) for glyph, x, y, _s in glyphs
    ]
    if not shapes:
        return np.empty((0, 2)), np.empty(0, dtype=Path.code_type), width
    return (
        np.concatenate([vertices for vertices, _codes in shapes]),
        np.concatenate([codes for _vertices, codes in shapes]),
        width,
    )


@lru_cache(maxsize=1)
def _font_heights() -> tuple[float, float, float]:
    """The font's ascent, descent and gap between lines, in points of a 1-point font: the
    metrics by which matplotlib stacks a text's lines."""
    font = _font()
    head, typo = font.get_sfnt_table("head"), font.get_sfnt_table("OS/2")
    if head is None or typo is None:  # every font matplotlib ships has both
        raise ValueError(f"{font.fname!r}: no metrics to stack lines by")
    em = head["unitsPerEm"]
    return typo["sTypoAscender"] / em, -typo["sTypoDescender"] / em, typo["sTypoLineGap"] / em


@lru_cache(maxsize=4096)
def outline(text: str, size: float, across: Across = "center", down: Down = "center") -> Path:
    """``text`` (lines split at "\\n") as one filled shape in points, anchored at (0, 0) as a
    matplotlib text with ``ha=across``, ``va=down`` would be: each line aligned the same way,
    stacked as matplotlib stacks them (the font's line gap shared around each line of a text
    of several)."""
    lines = text.split("\n")
    ascent, descent, gap = (metric * size for metric in _font_heights())
    if len(lines) > 1:
        ascent, descent = ascent + gap / 2, descent + gap / 2
    pitch = ascent + descent
    top = 0.0 if down == "top" else len(lines) * pitch / 2
    vertices, codes = [], []
    for index, line in enumerate(lines):
        shape, line_codes, width = _line(line)
        shift = {"left": 0.0, "center": width / 2, "right": width}[across] * size
        vertices.append(shape * size + (-shift, top - ascent - index * pitch))
        codes.append(line_codes)
    return Path(np.concatenate(vertices), np.concatenate(codes))


class OutlinedTexts(PathCollection):
    """Texts drawn as one collection of shapes, keeping each text and the size it is set in."""

    def __init__(self, texts: Sequence[str], size: float, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.texts = tuple(texts)
        self.size = size

    def window_extents(self) -> list[Bbox]:
        """Where each text was drawn, in the figure's pixels (after drawing)."""
        offsets = self.get_offset_transform().transform(self.get_offsets())
        shapes = self.get_transform()
        return [
            path.get_extents(shapes).translated(*offset)
            for path, offset in zip(self.get_paths(), offsets, strict=True)
        ]


def outlined_texts(
    axes: Axes,
    places: Sequence[tuple[float, float, str, str]],
    size: float,
    across: Across = "center",
    down: Down = "center",
    where: Transform | None = None,
) -> OutlinedTexts | None:
    """Texts, each ``(x, y, text, colour)`` anchored at its place in ``where``'s coordinates
    (the axes' data by default) as ``ha=across``, ``va=down`` would anchor it, drawn as one
    collection of shapes at ``size`` points."""
    if not places:
        return None
    figure = axes.get_figure(root=True)
    if not isinstance(figure, Figure):
        raise TypeError("texts are drawn on a figure's axes")
    texts = OutlinedTexts(
        [text for _x, _y, text, _colour in places],
        size,
        [outline(text, size, across, down) for _x, _y, text, _colour in places],
        facecolors=[colour for _x, _y, _text, colour in places],
        edgecolors="none",
        offsets=[(x, y) for x, y, _text, _colour in places],
        offset_transform=where or axes.transData,
        # Shapes in points, scaled to the figure's pixels wherever they are placed.
        transform=Affine2D().scale(1 / 72) + figure.dpi_scale_trans,
    )
    texts.set_clip_on(False)  # item texts stand left of the axes, as text objects may
    axes.add_collection(texts, autolim=False)
    return texts
