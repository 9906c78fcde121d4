"""Charts as bytes: plain data in, PNG out, through matplotlib's Figure API on the Agg canvas.

Never pyplot: its global state would leak between requests. Nothing here knows of Flask or the
database; callers pass numbers that already went through the anonymity guard.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Okabe-Ito colours: told apart with the common forms of colour blindness.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
GREY = "#999999"
VERMILION = "#D55E00"
DPI = 100


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


@lru_cache(maxsize=256)
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
    figure = Figure(figsize=(6.4, 0.55 * len(labels) + 1.0))
    axes = figure.add_subplot()
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
    return _png(figure)


@lru_cache(maxsize=256)
def answer_bars(
    labels: tuple[str, ...],
    shares: tuple[tuple[float, float, float], ...],
    legend: tuple[str, str, str],
) -> bytes:
    """One stacked bar per item: favorable, neutral, unfavorable shares (0-1)."""
    figure = Figure(figsize=(7.2, 0.42 * len(labels) + 1.0))
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    left = [0.0] * len(labels)
    for index, colour in enumerate((GREEN, GREY, VERMILION)):
        widths = [share[index] * 100 for share in shares]
        axes.barh(positions, widths, left=left, color=colour, label=legend[index])
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.set_yticks(positions, [label[:60] for label in labels], fontsize=7)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.05), ncol=3, fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    suppressed_label: str,
) -> bytes:
    """Departments x dimensions, 0-100 on a colour-blind-safe scale; None cells are marked."""
    figure = Figure(figsize=(1.1 * len(columns) + 2.5, 0.4 * len(rows) + 1.2))
    axes = figure.add_subplot()
    grid = [[value if value is not None else float("nan") for value in row] for row in values]
    image = axes.imshow(grid, cmap="cividis", vmin=0, vmax=100, aspect="auto")
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            text = suppressed_label if value is None else f"{value:.0f}"
            axes.text(
                c,
                r,
                text,
                ha="center",
                va="center",
                fontsize=7,
                color="black" if value is None or value > 60 else "white",
            )
    axes.set_xticks(range(len(columns)), columns, rotation=30, ha="right", fontsize=8)
    axes.set_yticks(range(len(rows)), rows, fontsize=8)
    figure.colorbar(image, ax=axes, fraction=0.03)
    return _png(figure)
