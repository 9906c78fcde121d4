"""Charts as bytes: plain data in, PNG out, through matplotlib's Figure API (the PDF report,
which draws them too, is ``pdf_report``).

Charts are for people who are not analysts. Each is laid out for the width at which the page
shows it (a ``Layout``, in CSS pixels: one for phones, one for wider screens) and drawn at two
image pixels per CSS pixel, so that its smallest text stays at least ``READABLE_PX`` pixels high
in the narrowest box the page may squeeze it into. Scores are coloured on one diverging scale
around the neutral middle of the agreement scale, in steps that colour-blind readers tell apart
too; every text on a coloured ground is black or white, whichever contrasts more.

Never pyplot: its global state would leak between requests. Nothing here knows of Flask or the
database; callers pass numbers that already went through the anonymity guard, and texts already
in the reader's language.
"""

from __future__ import annotations

import gc
import io
import math
import warnings
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import matplotlib
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection, PolyCollection
from matplotlib.colors import ListedColormap, NoNorm
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextToPath
from matplotlib.transforms import Transform
from PIL import Image

from cxculture.scoring.dimensions import SCALE_MAX, SCALE_MIN
from cxculture.scoring.scores import scale_to_100
from cxculture.text_outlines import Across, Down, outlined_texts

# Names are text, never maths: a "$" in a department's name must not switch to TeX layout.
matplotlib.rcParams["text.parse_math"] = False
# Glyphs at their true widths: lines are broken by measured width (``text_width``), and a
# hinted PNG would draw them up to half a pixel wider each. At two pixels per CSS pixel, hinting
# has nothing left to sharpen.
matplotlib.rcParams["text.hinting"] = "no_hinting"

# Okabe-Ito colours: told apart with the common forms of colour blindness.
BLUE = "#0072B2"
GREY = "#999999"
INK = "#222222"  # axes, labels and numbers on white: 16:1
HIDDEN = "#E0E0E0"  # a suppressed cell, hatched as well
BLACK, WHITE = "#000000", "#ffffff"

CACHED_CHARTS = 128  # per chart kind; a few MB of PNG at most

# Sizes. A CSS pixel is 1/96 inch and a point 1/72, so a figure ``width`` CSS pixels wide is
# width/96 inches, and a font of s points is s x 96/72 CSS pixels high where the image is shown
# at that width. Drawn at 192 dpi, the PNG has two pixels per CSS pixel: sharp on phones.
PX_PER_INCH = 96
DPI = 2 * PX_PER_INCH
READABLE_PX = 11  # the smallest text height a reader is asked to read, at the size shown
TEXT = 10.0  # points: every text of a chart, numbers in cells included
LINE = TEXT * 1.3 / 72  # inches per line of text


@dataclass(frozen=True)
class Layout:
    """The width (CSS pixels) a chart is drawn for, which the page gives the image, and the
    narrowest box the page may squeeze it into (the image then shrinks, and its text with it)."""

    name: str
    width: int
    narrowest: int

    @property
    def inches(self) -> float:
        return self.width / PX_PER_INCH


# Phones, below Bootstrap's "sm" breakpoint: a 320 px screen less the page's 2 x 12 px padding.
NARROW = Layout("narrow", 340, 296)
# From 576 px. The page's container is the viewport less 2 x 12 px (container-xxl), 552 px at
# the least, and the results page's chart column (col-lg-7) 554 px at the least; 516 px allows
# for Bootstrap's narrower fixed "container" too (540 px less its padding).
WIDE = Layout("wide", 540, 516)
LAYOUTS = {layout.name: layout for layout in (NARROW, WIDE)}
PHONE_MEDIA = "(max-width: 575.98px)"  # where pages show the NARROW drawing


def shown_px(points: float, layout: Layout) -> float:
    """How high a ``points`` font is, in CSS pixels, in the narrowest box ``layout`` allows."""
    return points * PX_PER_INCH / 72 * layout.narrowest / layout.width


# The colour scale. The neutral point is the middle answer of the agreement scale (3 of 1-5,
# "neither agree nor disagree"), 50 on the 0-100 scale; scores are coloured in steps of ten
# centred on it, orange below and purple above, darker further away. ColorBrewer's PuOr in
# nine classes: its steps stay apart for protan, deutan and tritan readers (the tests simulate
# them) and each takes black or white text at 4.5:1 or more.
NEUTRAL = round(scale_to_100((SCALE_MIN + SCALE_MAX) / 2))
STEP_WIDTH = 10
HEAT_COLOURS = (
    "#b35806",
    "#e08214",
    "#fdb863",
    "#fee0b6",
    "#f7f7f7",
    "#d8daeb",
    "#b2abd2",
    "#8073ac",
    "#542788",
)
_MIDDLE = len(HEAT_COLOURS) // 2
# Lower edges of the steps above the first: 15, 25, 35, 45 (the neutral step 45-54), 55... 85.
STEP_EDGES = tuple(
    NEUTRAL - STEP_WIDTH // 2 + STEP_WIDTH * k for k in range(-_MIDDLE + 1, _MIDDLE + 1)
)
# Answers: agreeing (favourable) on the purple side, disagreeing on the orange, neutral grey.
FAVORABLE, NEUTRAL_ANSWER, UNFAVORABLE = "#542788", "#c8c8c8", "#b35806"


def scale_step(value: float) -> int:
    """The step (0-8) of the colour scale that ``value`` (0-100) is coloured with. Steps are
    taken on the whole number shown, so a cell reading 55 is never coloured as 45-54."""
    return bisect_right(STEP_EDGES, round(value))


def step_bounds(step: int) -> tuple[int | None, int | None]:
    """The whole numbers a step covers, lowest and highest (None: open-ended)."""
    low = STEP_EDGES[step - 1] if step > 0 else None
    high = STEP_EDGES[step] - 1 if step < len(STEP_EDGES) else None
    return low, high


def default_step_labels() -> tuple[str, ...]:
    """The steps' ranges in digits ("< 15", "15–24", ... "≥ 85"), for callers without words."""
    labels = []
    for step in range(len(HEAT_COLOURS)):
        low, high = step_bounds(step)
        if low is None:
            labels.append(f"< {STEP_EDGES[0]}")
        elif high is None:
            labels.append(f"≥ {low}")
        else:
            labels.append(f"{low}–{high}")
    return tuple(labels)


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a ``#rrggbb`` colour."""
    red, green, blue = (_linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@lru_cache(maxsize=64)
def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    return max((BLACK, WHITE), key=lambda ink: contrast(ink, background))


@contextmanager
def glyphs_the_font_lacks_as_boxes() -> Iterator[None]:
    """A name may hold characters the bundled font has no glyph for (an emoji, a rare
    script): they are measured and drawn as the font's empty box, without a warning each."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        yield


# Text measured with the font's own metrics (no drawing): how layouts decide line breaks.
_TEXT_PATH = TextToPath()


@lru_cache(maxsize=4096)
def text_width(text: str, size: float = TEXT, weight: str = "normal") -> float:
    """Inches that the longest line of ``text`` takes at ``size`` points."""
    font = FontProperties(size=size, weight=weight)
    with glyphs_the_font_lacks_as_boxes():
        return max(
            _TEXT_PATH.get_text_width_height_descent(line, font, ismath=False)[0] / 72
            for line in text.split("\n")
        )


def _pieces(text: str) -> list[tuple[str, bool]]:
    """``text`` as pieces that a line may break between: words, and a path's names after each
    "/" (``True`` where a space stood before the piece)."""
    pieces: list[tuple[str, bool]] = []
    for word in text.split():
        parts = word.split("/")
        for index, part in enumerate(parts):
            piece = part + ("/" if index < len(parts) - 1 else "")
            if piece:
                pieces.append((piece, index == 0))
    return pieces


def _pieces_of(text: str) -> list[str]:
    return [piece for piece, _spaced in _pieces(text)]


def _break_word(word: str, size: float, width: float, weight: str) -> list[str]:
    """A word wider than a line, cut into lines that fit."""
    lines, current = [], ""
    for character in word:
        if current and text_width(current + character, size, weight) > width:
            lines.append(current)
            current = ""
        current += character
    return [*lines, current]


def wrap_text(text: str, size: float, width: float, weight: str = "normal") -> list[str]:
    """``text`` in lines at most ``width`` inches wide at ``size`` points (bold with
    ``weight``), broken at spaces and after each "/" of a department path; a word longer than a
    line is cut where it must be."""
    lines: list[str] = []
    current = ""
    for piece, spaced in _pieces(text):
        joined = f"{current} {piece}" if current and spaced else current + piece
        if text_width(joined, size, weight) <= width:
            current = joined
            continue
        if current:
            lines.append(current)
        broken = _break_word(piece, size, width, weight)
        lines += broken[:-1]
        current = broken[-1]
    return [*lines, current] if current or not lines else lines


def shorten(text: str, size: float, width: float, weight: str = "normal") -> str:
    """``text`` on one line of at most ``width`` inches, cut with "…" when it is longer."""
    if text_width(text, size, weight) <= width:
        return text
    while text and text_width(text + "…", size, weight) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrapped(text: str, width: float, size: float = TEXT, max_lines: int = 0) -> str:
    lines = wrap_text(text, size, width)
    if max_lines and len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], shorten(" ".join(lines[max_lines - 1 :]), size, width)]
    return "\n".join(lines)


def _lines(text: str) -> int:
    return text.count("\n") + 1


def _figure(layout: Layout, height: float) -> Figure:
    return Figure(figsize=(layout.inches, height), dpi=DPI)


def _axes(figure: Figure, left: float, top: float, width: float, height: float) -> Axes:
    """Axes placed in inches from the figure's top left corner."""
    figure_width, figure_height = figure.get_size_inches()
    return figure.add_axes(
        (
            left / figure_width,
            1 - (top + height) / figure_height,
            width / figure_width,
            height / figure_height,
        )
    )


def _png(figure: Figure) -> bytes:
    """``figure`` drawn once on an Agg canvas and encoded as a PNG."""
    figure.set_dpi(DPI)  # charts are made at it; a bare figure (the bench's floor) too
    canvas = FigureCanvasAgg(figure)
    pixels = io.BytesIO()
    with glyphs_the_font_lacks_as_boxes():
        figure.savefig(pixels, format="rgba", dpi=DPI)
    width, height = canvas.get_width_height(physical=True)
    return encode_png(pixels.getbuffer(), width, height)


def encode_png(rgba: memoryview | bytes, width: int, height: int) -> bytes:
    """Opaque RGBA pixels (``width`` x ``height``) as an RGB PNG, deflated at the fastest level:
    a chart is flat colour and thin lines, which compress well anyway, and a chart's ground is
    white, so its alpha channel says nothing and is dropped."""
    image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB")
    encoded = io.BytesIO()
    image.save(encoded, format="PNG", compress_level=1)
    return encoded.getvalue()


@contextmanager
def _one_render() -> Iterator[None]:
    """Draw a chart without the cyclic garbage collector running in the middle, then free the
    figure at once.

    A figure is thousands of objects tied in cycles (artists and their transforms). Left to
    the collector, those alive mid-drawing are moved to its oldest generation, and every few
    charts that triggers a full collection of the whole process (the app, its models, its
    caches): a pause of 100 ms or more, longer than the drawing. Paused while drawing, the
    collector finds the finished figure among the youngest objects and frees it cheaply.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect(0)
        if enabled:
            gc.enable()


def _rendered(build: Callable[..., Figure], *arguments: object) -> bytes:
    """The PNG of the figure ``build(*arguments)`` makes, drawn in one go (``_one_render``)."""
    with _one_render():
        return _png(build(*arguments))


def legend_in_order(axes: Axes, entries: Sequence[str]) -> tuple[list[Artist], list[str]]:
    """The handles and names of ``axes``' legend in the order of ``entries`` (those drawn)."""
    handles, names = axes.get_legend_handles_labels()
    order = [names.index(entry) for entry in entries if entry in names]
    return [handles[i] for i in order], [names[i] for i in order]


def _top_legend(
    figure: Figure,
    width: float,
    entries: Sequence[str],
    handles: Sequence[Artist] | None = None,
    labels: Sequence[str] | None = None,
) -> None:
    """The legend in the band left for it at the top of a ``width``-inch figure: ``entries``
    side by side where they fit (``handles`` and ``labels`` as given, else the axes')."""
    given: dict[str, Sequence[Artist] | Sequence[str]] = {}
    if handles is not None:
        given["handles"] = handles
    if labels is not None:
        given["labels"] = labels
    figure.legend(
        loc="upper left",
        bbox_to_anchor=(0.1 / width, 1),
        ncol=legend_columns(entries, width - 0.2, TEXT),
        fontsize=TEXT,
        frameon=False,
        borderaxespad=0.2,
        **given,
    )


def legend_columns(labels: Sequence[str], width: float, size: float) -> int:
    """Legend entries side by side when they fit in ``width`` inches, else one per line."""
    needed = sum(text_width(label, size) + 0.55 for label in labels)
    return len(labels) if needed <= width else 1


def legend_height(labels: Sequence[str], width: float, size: float) -> float:
    if legend_columns(labels, width, size) > 1:
        lines = max(_lines(label) for label in labels)
    else:
        lines = sum(_lines(label) for label in labels)
    return lines * size * 1.6 / 72 + 0.12


def _plain(axes: Axes, size: float) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=size, colors=INK)


# Dimension bars: a group's six scores beside the company's.

BAR = 0.17  # inches of one bar


def dimension_row(label: str, size: float = TEXT) -> float:
    """Inches one dimension takes: its two bars, or its label's lines if taller."""
    return max(2 * BAR + 0.16, _lines(label) * size * 1.3 / 72 + 0.1)


def draw_dimension_bars(
    axes: Axes,
    labels: Sequence[str],
    group: Sequence[float],
    company: Sequence[float | None],
    group_name: str,
    company_name: str,
    size: float = TEXT,
    neutral_label: str = "",
) -> None:
    """Bars of ``group``'s scores (0-100) with the company's beside, labels already wrapped;
    the y axis counts inches from the top, so callers size rows with ``dimension_row``."""
    top = 0.0
    centres = []
    for label in labels:
        height = dimension_row(label, size)
        centres.append(top + height / 2)
        top += height
    axes.barh([c - BAR / 2 for c in centres], group, BAR, color=BLUE, label=group_name)
    shown = [(c, v) for c, v in zip(centres, company, strict=True) if v is not None]
    axes.barh(
        [c + BAR / 2 for c, _v in shown],
        [v for _c, v in shown],
        BAR,
        color=GREY,
        label=company_name,
    )
    for centre, value in zip(centres, group, strict=True):
        axes.text(value + 1, centre - BAR / 2, f"{value:.0f}", va="center", fontsize=size)
    for centre, value in shown:
        axes.text(value + 1, centre + BAR / 2, f"{value:.0f}", va="center", fontsize=size)
    if neutral_label:
        axes.axvline(NEUTRAL, color=INK, linestyle=(0, (3, 3)), linewidth=0.8, label=neutral_label)
    axes.set_yticks(centres, labels, fontsize=size)
    axes.set_ylim(top, 0)
    axes.set_xlim(0, 100)
    axes.set_xticks([0, 25, 50, 75, 100])
    _plain(axes, size)


@lru_cache(maxsize=CACHED_CHARTS)
def dimension_bars(
    labels: tuple[str, ...],
    group: tuple[float, ...],
    company: tuple[float | None, ...],
    group_name: str,
    company_name: str,
    layout: Layout = WIDE,
    neutral_label: str = "",
) -> bytes:
    """Horizontal bars of a group's 0-100 dimension scores, with the company's beside them and
    a dashed line at the neutral point when ``neutral_label`` names it.

    Cached by its arguments: the same numbers never render twice.
    """
    return _rendered(
        dimension_figure, labels, group, company, group_name, company_name, layout, neutral_label
    )


def dimension_figure(
    labels: Sequence[str],
    group: Sequence[float],
    company: Sequence[float | None],
    group_name: str,
    company_name: str,
    layout: Layout = WIDE,
    neutral_label: str = "",
) -> Figure:
    """The figure ``dimension_bars`` encodes (tests read its texts)."""
    width = layout.inches
    label_width = min(max(text_width(label) for label in labels), 0.38 * width)
    wrapped = [_wrapped(label, label_width) for label in labels]
    label_width = max(text_width(label) for label in wrapped)
    # A department's name in the legend, beside its swatch, within the figure.
    group_name, company_name, neutral_label = (
        _wrapped(name, width - 0.8) if name else name
        for name in (group_name, company_name, neutral_label)
    )
    entries = [group_name, company_name] + ([neutral_label] if neutral_label else [])
    legend = legend_height(entries, width - 0.2, TEXT)
    rows = sum(dimension_row(label) for label in wrapped)
    figure = _figure(layout, legend + rows + 0.45)
    left = 0.1 + label_width + 0.15  # the tick and its gap take the last 0.15 inch
    axes = _axes(figure, left, legend, width - left - 0.35, rows)
    draw_dimension_bars(
        axes, wrapped, group, company, group_name, company_name, neutral_label=neutral_label
    )
    _top_legend(figure, width, entries, *legend_in_order(axes, entries))
    return figure


# Answers item by item: favourable, neutral and unfavourable shares, with each item's text.

ANSWER_BAR = 0.26  # inches


def answer_rows(labels: Sequence[str], above: bool, size: float = TEXT) -> list[float]:
    """Inches each item takes: its bar beside its (wrapped) text, or below it."""
    line = size * 1.3 / 72
    if above:
        return [_lines(label) * line + ANSWER_BAR + 0.2 for label in labels]
    return [max(_lines(label) * line, ANSWER_BAR) + 0.14 for label in labels]


def _write(
    axes: Axes,
    places: Sequence[tuple[float, float, str, str]],
    size: float,
    outlined: bool,
    across: Across = "center",
    down: Down = "center",
    where: Transform | None = None,
) -> None:
    """Texts ``(x, y, text, colour)`` as one collection of shapes (``outlined``: for a
    picture), else as text objects (for a PDF, whose reader can select and copy them)."""
    if outlined:
        outlined_texts(axes, places, size, across, down, where)
        return
    for x, y, text, colour in places:
        axes.text(
            x,
            y,
            text,
            ha=across,
            va=down,
            fontsize=size,
            color=colour,
            transform=where or axes.transData,
        )


def _bar(start: float, length: float, centre: float, thickness: float) -> list[tuple[float, float]]:
    """The corners of a horizontal bar from ``start``, ``length`` long, centred on ``centre``."""
    low, high = centre - thickness / 2, centre + thickness / 2
    return [(start, low), (start + length, low), (start + length, high), (start, high)]


def draw_answer_bars(
    axes: Axes,
    labels: Sequence[str],
    shares: Sequence[tuple[float, float, float]],
    legend: tuple[str, str, str],
    size: float = TEXT,
    above: bool = False,
    label_width: float = 0.0,
    share_labels: Sequence[tuple[str, str, str]] | None = None,
    outlined: bool = False,
) -> None:
    """One stacked bar per item with its text (already wrapped) beside it, ``label_width``
    inches left of the axes, or ``above`` it; shares (0-1) printed in their segments when they
    fit, as shapes when ``outlined`` (a picture: see ``outlined_texts``; a PDF keeps them as
    text a reader can select and copy). The y axis counts inches from the top (see
    ``answer_rows``)."""
    figure = axes.get_figure(root=True)
    if not isinstance(figure, Figure):
        raise TypeError("bars are drawn on a figure's axes")
    axes_width = axes.get_position().width * figure.get_figwidth()
    rows = answer_rows(labels, above, size)
    line = size * 1.3 / 72
    top = 0.0
    left = [0.0] * len(labels)
    centres = []
    placed = []
    for label, height in zip(labels, rows, strict=True):
        if above:
            placed.append((0.0, top + 0.06, label, INK))
            centres.append(top + _lines(label) * line + 0.1 + ANSWER_BAR / 2)
        else:
            # Left of the axes by ``label_width`` inches, level with its bar.
            placed.append((-label_width / axes_width, top + height / 2, label, INK))
            centres.append(top + height / 2)
        top += height
    where = axes.transData if above else axes.get_yaxis_transform()
    _write(axes, placed, size, outlined, "left", "top" if above else "center", where)
    colours = (FAVORABLE, NEUTRAL_ANSWER, UNFAVORABLE)
    printed: list[tuple[float, float, str, str]] = []
    for index, colour in enumerate(colours):
        widths = [share[index] * 100 for share in shares]
        # One collection per answer, not a patch per segment: the legend takes its colour
        # from it, and a long questionnaire adds segments, not artists.
        axes.add_collection(
            PolyCollection(
                [
                    _bar(start, value, centre, ANSWER_BAR)
                    for start, value, centre in zip(left, widths, centres, strict=True)
                ],
                facecolors=colour,
                edgecolors=WHITE,
                linewidths=0.6,
                label=legend[index],
            ),
            autolim=False,
        )
        for row, (start, value) in enumerate(zip(left, widths, strict=True)):
            text = share_labels[row][index] if share_labels else f"{value:.0f}%"
            if value / 100 * axes_width >= text_width(text, size) + 0.1:
                printed.append((start + value / 2, centres[row], text, text_colour(colour)))
        left = [a + b for a, b in zip(left, widths, strict=True)]
    _write(axes, printed, size, outlined)
    axes.set_ylim(top, 0)
    axes.set_xlim(0, 100)
    axes.set_yticks([])
    axes.set_xticks([])
    axes.axis("off")


@lru_cache(maxsize=CACHED_CHARTS)
def answer_bars(
    labels: tuple[str, ...],
    shares: tuple[tuple[float, float, float], ...],
    legend: tuple[str, str, str],
    layout: Layout = WIDE,
    share_labels: tuple[tuple[str, str, str], ...] | None = None,
) -> bytes:
    """One stacked bar per item: favorable, neutral, unfavorable shares (0-1), each with the
    item's text (``labels``, e.g. "3. I know who benefits from my work")."""
    return _rendered(answer_figure, labels, shares, legend, layout, share_labels)


def answer_figure(
    labels: Sequence[str],
    shares: Sequence[tuple[float, float, float]],
    legend: tuple[str, str, str],
    layout: Layout = WIDE,
    share_labels: Sequence[tuple[str, str, str]] | None = None,
) -> Figure:
    """The figure ``answer_bars`` encodes: texts beside the bars where half the width holds
    them comfortably, above the bars on a phone."""
    width = layout.inches
    above = width * 0.5 < 2.4
    label_width = width - 0.2 if above else width * 0.5
    wrapped = [_wrapped(label, label_width) for label in labels]
    legend_space = legend_height(legend, width - 0.2, TEXT)
    rows = sum(answer_rows(wrapped, above))
    figure = _figure(layout, legend_space + rows + 0.15)
    left = 0.1 if above else 0.1 + label_width + 0.1
    axes = _axes(figure, left, legend_space, width - left - 0.1, rows)
    draw_answer_bars(
        axes,
        wrapped,
        shares,
        legend,
        above=above,
        label_width=0 if above else label_width + 0.1,
        share_labels=share_labels,
        outlined=True,
    )
    _top_legend(figure, width, legend)
    return figure


# The heatmap: departments x dimensions on the stepped scale.

CELL_HEIGHT = 0.3  # inches of a one-line row


@lru_cache(maxsize=CACHED_CHARTS)
def heatmap(
    rows: tuple[str, ...],
    columns: tuple[str, ...],
    values: tuple[tuple[float | None, ...], ...],
    suppressed_label: str,
    layout: Layout = WIDE,
    step_labels: tuple[str, ...] | None = None,
    scale_title: str = "",
) -> bytes:
    """Departments x dimensions, 0-100 in the steps of the colour scale, each cell with its
    number; hidden (None) cells grey and hatched, with ``suppressed_label`` in the legend,
    which also names every step (``step_labels``, default digits) under ``scale_title``."""
    return _rendered(
        heatmap_figure, rows, columns, values, suppressed_label, layout, step_labels, scale_title
    )


def heatmap_figure(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    suppressed_label: str,
    layout: Layout = WIDE,
    step_labels: Sequence[str] | None = None,
    scale_title: str = "",
) -> Figure:
    """The figure ``heatmap`` encodes (tests read its texts and colours)."""
    width = layout.inches
    row_width = min(max(text_width(row) for row in rows), 0.34 * width)
    row_labels = [_wrapped(row, row_width) for row in rows]
    row_width = max(text_width(label) for label in row_labels)
    grid_left = 0.1 + row_width + 0.1
    cell = (width - grid_left - 0.1) / len(columns)
    # Names stand upright, wrapped, when each word fits its column; else they are turned a
    # quarter and read from below (a word is never cut).
    upright = all(text_width(word) <= cell - 0.06 for c in columns for word in _pieces_of(c))
    column_labels = [_wrapped(column, cell - 0.06) if upright else column for column in columns]
    header = (
        max(_lines(label) for label in column_labels) * LINE + 0.1
        if upright
        else max(text_width(label) for label in column_labels) + 0.15
    )
    heights = [max(CELL_HEIGHT, _lines(label) * LINE + 0.08) for label in row_labels]
    grid_height = sum(heights)
    hidden = any(value is None for row in values for value in row)
    legend = _scale_legend_plan(
        step_labels or default_step_labels(), scale_title, suppressed_label if hidden else "", width
    )
    figure = _figure(layout, 0.1 + header + grid_height + legend.height + 0.1)
    axes = _axes(figure, grid_left, 0.1 + header, cell * len(columns), grid_height)
    _heat_grid(axes, row_labels, heights, values, cell)
    for c, label in enumerate(column_labels):
        axes.text(
            (c + 0.5) * cell,
            -0.08,
            label,
            ha="center" if upright else "left",
            va="bottom" if upright else "center",
            rotation=0 if upright else 90,
            rotation_mode="anchor",
            fontsize=TEXT,
            multialignment="center",
        )
    axes.set_xlim(0, cell * len(columns))
    axes.set_ylim(grid_height, 0)
    axes.axis("off")
    _draw_scale_legend(figure, legend, 0.1 + header + grid_height + 0.15)
    return figure


# Cells are coloured by their step's index: one colour map of the steps, then the hidden grey.
_CELL_COLOURS = ListedColormap([*HEAT_COLOURS, HIDDEN])
_HIDDEN_STEP = len(HEAT_COLOURS)


def _heat_grid(
    axes: Axes,
    row_labels: Sequence[str],
    heights: Sequence[float],
    values: Sequence[Sequence[float | None]],
    cell: float,
) -> None:
    """The cells as one mesh (a picture of coloured quads, however many departments), the
    hidden ones hatched as one collection, each shown score printed in its cell."""
    tops = [0.0]
    for height in heights:
        tops.append(tops[-1] + height)
    columns = max(len(row) for row in values)
    steps = [
        [_HIDDEN_STEP if value is None else scale_step(value) for value in row] for row in values
    ]
    axes.pcolormesh(
        [c * cell for c in range(columns + 1)],
        tops,
        steps,
        cmap=_CELL_COLOURS,
        norm=NoNorm(),
        edgecolors=WHITE,
        linewidth=1.5,
    )
    hidden = [
        Rectangle((c * cell, top), cell, height)
        for top, height, row in zip(tops, heights, values, strict=False)
        for c, value in enumerate(row)
        if value is None
    ]
    if hidden:
        axes.add_collection(
            PatchCollection(hidden, facecolor=HIDDEN, edgecolor=WHITE, linewidth=1.5, hatch="///"),
            autolim=False,
        )
    outlined_texts(
        axes,
        [
            (-0.1, top + height / 2, label, BLACK)
            for top, height, label in zip(tops, heights, row_labels, strict=False)
        ],
        TEXT,
        across="right",
    )
    outlined_texts(
        axes,
        [
            ((c + 0.5) * cell, top + height / 2, f"{value:.0f}", _cell_ink(value))
            for top, height, row in zip(tops, heights, values, strict=False)
            for c, value in enumerate(row)
            if value is not None
        ],
        TEXT,
    )


def _cell_ink(value: float) -> str:
    return text_colour(HEAT_COLOURS[scale_step(value)])


@dataclass(frozen=True)
class _LegendPlan:
    """The colour key under a heatmap: its title, one swatch per step (labelled inside, in
    rows that fit the width) and the hidden swatch."""

    title: str
    swatches: tuple[tuple[str, float, float, float], ...]  # label, x, row top, width (inches)
    hidden_label: str
    hidden_top: float
    height: float


SWATCH = 0.28  # inches high


def _scale_legend_plan(
    labels: Sequence[str], title: str, hidden_label: str, width: float
) -> _LegendPlan:
    title = _wrapped(title, width - 0.2) if title else ""
    top = _lines(title) * LINE + 0.05 if title else 0.0
    x = 0.1
    swatches = []
    for label in labels:
        swatch = text_width(label) + 0.16
        if x + swatch > width - 0.1 and x > 0.1:
            x, top = 0.1, top + SWATCH + 0.06
        swatches.append((label, x, top, swatch))
        x += swatch
    top += SWATCH + 0.1
    hidden_label = _wrapped(hidden_label, width - 0.7) if hidden_label else ""
    hidden_top = top
    if hidden_label:
        top += max(SWATCH, _lines(hidden_label) * LINE) + 0.05
    return _LegendPlan(title, tuple(swatches), hidden_label, hidden_top, top)


def _draw_scale_legend(figure: Figure, plan: _LegendPlan, top: float) -> None:
    width, height = figure.get_size_inches()

    def at(x: float, y: float) -> tuple[float, float]:
        return x / width, 1 - y / height

    if plan.title:
        figure.text(*at(0.1, top), plan.title, va="top", fontsize=TEXT, color=INK)
    for step, (label, x, row, swatch) in enumerate(plan.swatches):
        colour = HEAT_COLOURS[step]
        y = top + row
        figure.patches.append(
            Rectangle(
                at(x, y + SWATCH),
                swatch / width,
                SWATCH / height,
                transform=figure.transFigure,
                facecolor=colour,
                edgecolor=GREY if colour == HEAT_COLOURS[_MIDDLE] else WHITE,
                linewidth=0.8,
            )
        )
        figure.text(
            *at(x + swatch / 2, y + SWATCH / 2),
            label,
            ha="center",
            va="center",
            fontsize=TEXT,
            color=text_colour(colour),
        )
    if plan.hidden_label:
        y = top + plan.hidden_top
        figure.patches.append(
            Rectangle(
                at(0.1, y + SWATCH),
                0.4 / width,
                SWATCH / height,
                transform=figure.transFigure,
                facecolor=HIDDEN,
                edgecolor=INK,
                hatch="///",
                linewidth=0.6,
            )
        )
        figure.text(*at(0.6, y + SWATCH / 2), plan.hidden_label, va="center", fontsize=TEXT)


# The trend: an index across waves, open waves marked as such.


@lru_cache(maxsize=CACHED_CHARTS)
def trend_line(
    labels: tuple[str, ...],
    values: tuple[float | None, ...],
    name: str,
    is_open: tuple[bool, ...] = (),
    open_label: str = "",
    layout: Layout = WIDE,
    neutral_label: str = "",
) -> bytes:
    """An index (0-100) over waves; a hidden wave (None) leaves a gap. A wave still open
    (``is_open``) is drawn hollow, joined by a dashed line, and says ``open_label`` under its
    name and in the legend: its figures may still change."""
    return _rendered(trend_figure, labels, values, name, is_open, open_label, layout, neutral_label)


def trend_figure(
    labels: Sequence[str],
    values: Sequence[float | None],
    name: str,
    is_open: Sequence[bool] = (),
    open_label: str = "",
    layout: Layout = WIDE,
    neutral_label: str = "",
) -> Figure:
    """The figure ``trend_line`` encodes (tests read its texts)."""
    opened = [bool(is_open[i]) if i < len(is_open) else False for i in range(len(labels))]
    width = layout.inches
    left, right = 0.5, 0.25
    slot = (width - left - right) / max(len(labels), 1)
    ticks = []
    for label, still_open in zip(labels, opened, strict=True):
        text = _wrapped(label, slot - 0.08, max_lines=3)
        if still_open and open_label:
            text += "\n" + _wrapped(f"({open_label})", slot - 0.08, max_lines=2)
        ticks.append(text)
    open_points = [
        (p, v) for p, (v, o) in enumerate(zip(values, opened, strict=True)) if o and v is not None
    ]
    entries = [name] + ([open_label] if open_label and open_points else [])
    entries += [neutral_label] if neutral_label else []
    legend = legend_height(entries, width - 0.2, TEXT)
    plot = 2.0
    bottom = max(_lines(tick) for tick in ticks) * LINE + 0.2
    figure = _figure(layout, legend + plot + bottom + 0.1)
    axes = _axes(figure, left, legend + 0.1, width - left - right, plot)
    positions = list(range(len(labels)))
    closed = [
        v if v is not None and not o else math.nan for v, o in zip(values, opened, strict=True)
    ]
    axes.plot(positions, closed, marker="o", color=BLUE, linewidth=2)
    # A dashed segment from the last closed wave to each open one, hollow markers on them.
    for position, (value, still_open) in enumerate(zip(values, opened, strict=True)):
        if not still_open or value is None:
            continue
        before = next(
            ((p, values[p]) for p in range(position - 1, -1, -1) if values[p] is not None),
            None,
        )
        if before is not None and before[1] is not None:
            axes.plot(
                [before[0], position], [before[1], value], color=BLUE, linestyle="--", linewidth=2
            )
    if open_points:
        axes.plot(
            [p for p, _v in open_points],
            [v for _p, v in open_points],
            linestyle="none",
            marker="o",
            markersize=9,
            markerfacecolor=WHITE,
            markeredgecolor=BLUE,
            markeredgewidth=2,
        )
    for position, value in zip(positions, values, strict=True):
        if value is not None:
            axes.annotate(
                f"{value:.0f}",
                (position, value),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=TEXT,
            )
    if neutral_label:
        axes.axhline(NEUTRAL, color=INK, linestyle=(0, (3, 3)), linewidth=0.8)
    axes.set_xticks(positions, ticks, fontsize=TEXT)
    axes.set_ylim(0, 100)
    axes.set_yticks([0, 25, 50, 75, 100])
    axes.set_xlim(-0.5, len(labels) - 0.5)
    _plain(axes, TEXT)
    handles = [
        Line2D([], [], color=BLUE, marker="o", linewidth=2, label=name),
    ]
    if open_points:
        handles.append(
            Line2D(
                [],
                [],
                color=BLUE,
                linestyle="--",
                marker="o",
                markersize=9,
                markerfacecolor=WHITE,
                markeredgewidth=2,
                label=open_label[:1].upper() + open_label[1:],
            )
        )
    if neutral_label:
        handles.append(Line2D([], [], color=INK, linestyle=(0, (3, 3)), label=neutral_label))
    _top_legend(figure, width, entries, handles)
    return figure
