"""Charts as bytes: plain data in, PNG out, through matplotlib's Figure API (the PDF report,
which draws them too, is ``pdf_report``).

Never pyplot: its global state would leak between requests. Nothing here knows of Flask or the
database; callers pass numbers that already went through the anonymity guard, and texts already
in the reader's language.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import lru_cache

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

# Okabe-Ito colours: told apart with the common forms of colour blindness.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
GREY = "#999999"
VERMILION = "#D55E00"
HIDDEN = "#E0E0E0"  # a suppressed cell
DPI = 100
CACHED_CHARTS = 128  # per chart kind; a few MB of PNG at most
LABELLED_CELLS = 60  # heatmaps up to this many cells print their numbers
# Names are text, never maths: a "$" in a department's name must not switch to TeX layout.
matplotlib.rcParams["text.parse_math"] = False
# cividis: perceptually uniform and readable with red-green colour blindness; grey for hidden.
SCALE = matplotlib.colormaps["cividis"].with_extremes(bad=HIDDEN)


LABEL_CHAR = 0.075  # inches per character of a 10-point label, on average (DejaVu Sans)


def _figure(
    width: float, height: float, left: float, bottom: float, right: float = 0.3, top: float = 0.2
) -> Figure:
    """A figure of ``width`` x ``height`` inches whose axes leave the given margins (inches).

    Margins are set from the labels' lengths instead of measured after drawing (a "tight"
    bounding box draws the whole figure twice)."""
    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        bottom=bottom / height,
        top=1 - top / height,
    )
    return figure


def _label_width(labels: Sequence[str], size: float = 10) -> float:
    return max((len(label) for label in labels), default=0) * LABEL_CHAR * size / 10 + 0.25


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    # Fast compression: a chart is encoded every time its data changes, and served once.
    figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


def draw_dimension_bars(
    axes: Axes,
    labels: Sequence[str],
    group: Sequence[float],
    company: Sequence[float | None],
    group_name: str,
    company_name: str,
) -> None:
    positions = list(range(len(labels)))
    height = 0.38
    axes.barh([p - height / 2 for p in positions], group, height, color=BLUE, label=group_name)
    company_values = [value if value is not None else 0 for value in company]
    axes.barh(
        [p + height / 2 for p in positions],
        company_values,
        height,
        color=GREY,
        label=company_name,
    )
    for position, value in zip(positions, group, strict=True):
        axes.text(value + 1, position - height / 2, f"{value:.0f}", va="center", fontsize=8)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)


@lru_cache(maxsize=CACHED_CHARTS)
def dimension_bars(
    labels: tuple[str, ...],
    group: tuple[float, ...],
    company: tuple[float | None, ...],
    group_name: str,
    company_name: str,
) -> bytes:
    """Horizontal bars of a group's 0-100 dimension scores, with the company's beside them.

    Cached by its arguments: the same numbers never render twice.
    """
    figure = _figure(
        6.4 + _label_width(labels), 0.55 * len(labels) + 1.0, _label_width(labels), 0.5
    )
    draw_dimension_bars(figure.add_subplot(), labels, group, company, group_name, company_name)
    return _png(figure)


def draw_answer_bars(
    axes: Axes,
    labels: Sequence[str],
    shares: Sequence[tuple[float, float, float]],
    legend: tuple[str, str, str],
) -> None:
    positions = list(range(len(labels)))
    left = [0.0] * len(labels)
    for index, colour in enumerate((GREEN, GREY, VERMILION)):
        widths = [share[index] * 100 for share in shares]
        axes.barh(positions, widths, left=left, color=colour, label=legend[index])
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.set_yticks(positions, labels, fontsize=7)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.05), ncol=3, fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)


@lru_cache(maxsize=CACHED_CHARTS)
def answer_bars(
    labels: tuple[str, ...],
    shares: tuple[tuple[float, float, float], ...],
    legend: tuple[str, str, str],
) -> bytes:
    """One stacked bar per item: favorable, neutral, unfavorable shares (0-1)."""
    left = _label_width(labels, size=7)
    figure = _figure(7.2 + left, 0.42 * len(labels) + 1.2, left, 0.9)
    draw_answer_bars(figure.add_subplot(), labels, shares, legend)
    return _png(figure)


@lru_cache(maxsize=CACHED_CHARTS)
def heatmap(
    rows: tuple[str, ...],
    columns: tuple[str, ...],
    values: tuple[tuple[float | None, ...], ...],
    suppressed_label: str,
) -> bytes:
    """Departments x dimensions, 0-100 on a colour-blind-safe scale. Hidden (None) cells are
    grey and hatched, with ``suppressed_label`` in the legend. Small grids carry their numbers
    in the cells; larger ones leave them to the table that goes with the chart (each number
    drawn costs about a millisecond)."""
    left = _label_width(rows, size=8)
    bottom = _label_width(columns, size=8) * 0.5 + 0.6  # labels turned 30 degrees, legend
    width = 1.0 * len(columns) + left + 1.2
    figure = _figure(width, 0.32 * len(rows) + bottom + 0.3, left, bottom, right=1.2)
    axes = figure.add_subplot()
    grid = [[value if value is not None else math.nan for value in row] for row in values]
    image = axes.imshow(grid, cmap=SCALE, vmin=0, vmax=100, aspect="auto", interpolation="nearest")
    labelled = len(rows) * len(columns) <= LABELLED_CELLS
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            if value is None:
                axes.add_patch(
                    Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, hatch="///", linewidth=0)
                )
            elif labelled:
                colour = "black" if value >= 50 else "white"
                axes.text(c, r, f"{value:.0f}", ha="center", va="center", fontsize=7, color=colour)
    axes.set_xticks(range(len(columns)), columns, rotation=30, ha="right", fontsize=8)
    axes.set_yticks(range(len(rows)), rows, fontsize=8)
    figure.colorbar(image, ax=axes, fraction=0.03)
    if any(value is None for row in values for value in row):
        hidden = Rectangle((0, 0), 1, 1, facecolor=HIDDEN, hatch="///", edgecolor="black")
        figure.legend([hidden], [suppressed_label], loc="lower left", fontsize=8, frameon=False)
    return _png(figure)


def scale_step(value: float) -> int:
    """The tenth of the 0-100 scale ``value`` falls in (0-9), for colouring table cells in the
    heatmap's colours (the stylesheet holds one class per step)."""
    return min(9, max(0, int(value // 10)))


@lru_cache(maxsize=CACHED_CHARTS)
def trend_line(labels: tuple[str, ...], values: tuple[float | None, ...], name: str) -> bytes:
    """An index (0-100) over waves; a hidden wave (None) leaves a gap."""
    figure = _figure(6.4, 3.0, 0.6, 0.5 + _label_width(labels, size=8) * 0.5)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    axes.plot(
        positions,
        [value if value is not None else math.nan for value in values],
        marker="o",
        color=BLUE,
        label=name,
    )
    for position, value in zip(positions, values, strict=True):
        if value is not None:
            axes.annotate(
                f"{value:.0f}", (position, value), textcoords="offset points", xytext=(0, 6)
            )
    axes.set_xticks(positions, labels, fontsize=8, rotation=20, ha="right")
    axes.set_ylim(0, 100)
    axes.set_xlim(-0.5, len(labels) - 0.5)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
