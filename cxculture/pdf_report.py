"""A department's report as PDF: blocks (headings, paragraphs, tables, charts) flowed top to
bottom over A4 pages in the reader's language, through matplotlib's PdfPages.

Every text is broken into lines by its measured width (``charts.wrap_text``), so a long survey
name or department path stays within the margins; charts are drawn by the same functions, in
the same colours, as the pages' charts.

Pure like ``charts``: nothing here knows of Flask or the database; callers pass numbers the
release layer released and texts already translated.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from cxculture import charts


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    size: float = 9.0


@dataclass(frozen=True)
class Table:
    """A table whose first column is text (wrapped) and whose other columns are right-aligned;
    ``shades`` gives a background colour to cells (None: none), one tuple per row."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    first_width: float = 0.55  # share of the line given to the first column
    shades: tuple[tuple[str | None, ...], ...] | None = None


@dataclass(frozen=True)
class DimensionBars:
    labels: tuple[str, ...]
    group: tuple[float, ...]
    company: tuple[float | None, ...]
    group_name: str
    company_name: str
    neutral_label: str = ""


@dataclass(frozen=True)
class AnswerBars:
    """Answers item by item; ``labels`` are the items' texts (numbered by the caller)."""

    labels: tuple[str, ...]
    shares: tuple[tuple[float, float, float], ...]
    legend: tuple[str, str, str]
    share_labels: tuple[tuple[str, str, str], ...] | None = None


Block = Heading | Paragraph | Table | DimensionBars | AnswerBars

PAGE = (8.27, 11.69)  # A4, inches
MARGIN = 0.7
TITLE_SIZE, HEADING_SIZE, FOOTER_SIZE, CHART_SIZE = 16.0, 12.0, 7.5, 8.5


def line_height(size: float) -> float:
    """Inches from one line of ``size``-point text to the next."""
    return size * 1.5 / 72


LINE = line_height(9)  # inches per line of 9-point text
WIDTH = PAGE[0] - 2 * MARGIN  # inches between the margins


class _Pages:
    """Places blocks on A4 figures, starting a new page when a block does not fit."""

    def __init__(self, footer: str):
        self.footer = footer
        self.figures: list[Figure] = []
        self.figure: Figure | None = None
        self.y = 0.0  # inches from the top

    def _x(self, inches: float) -> float:
        return inches / PAGE[0]

    def _y(self, inches: float) -> float:
        return 1 - inches / PAGE[1]

    def new_page(self) -> Figure:
        self.figure = Figure(figsize=PAGE)
        self.figures.append(self.figure)
        self.y = MARGIN
        number = f"  ·  {len(self.figures)}"
        room = WIDTH - charts.text_width(number, FOOTER_SIZE)
        self.figure.text(
            self._x(MARGIN),
            self._y(PAGE[1] - MARGIN / 2),
            charts.shorten(self.footer, FOOTER_SIZE, room) + number,
            fontsize=FOOTER_SIZE,
            color="#555555",
        )
        return self.figure

    def room(self, height: float) -> Figure:
        """The current page, or a new one when ``height`` inches do not fit on it."""
        if self.figure is None or self.y + height > PAGE[1] - MARGIN:
            return self.new_page()
        return self.figure

    def text(self, x: float, text: str, size: float, **kwargs: Any) -> None:
        figure = self.room(0)
        figure.text(self._x(x), self._y(self.y), text, fontsize=size, va="top", **kwargs)

    def lines(self, text: str, size: float, weight: str = "normal") -> None:
        """``text`` wrapped to the width between the margins, a line at a time (a page may
        break between two)."""
        step = line_height(size)
        for line in charts.wrap_text(text, size, WIDTH, weight) or [""]:
            self.room(step)
            self.text(MARGIN, line, size, weight=weight)
            self.y += step

    def rule(self, weight: float = 0.5) -> None:
        self.room(0).add_artist(
            Line2D(
                [self._x(MARGIN), self._x(PAGE[0] - MARGIN)],
                [self._y(self.y), self._y(self.y)],
                transform=self.room(0).transFigure,
                color="#777777",
                linewidth=weight,
            )
        )

    def title(self, text: str) -> None:
        self.lines(text, TITLE_SIZE, weight="bold")
        self.y += 0.2

    def heading(self, block: Heading, following: float) -> None:
        lines = charts.wrap_text(block.text, HEADING_SIZE, WIDTH, "bold")
        self.room(0.15 + len(lines) * line_height(HEADING_SIZE) + following)  # kept with it
        self.y += 0.15
        self.lines(block.text, HEADING_SIZE, weight="bold")
        self.y += 0.08

    def paragraph(self, block: Paragraph) -> None:
        self.lines(block.text, block.size)
        self.y += 0.08

    def table(self, block: Table) -> None:
        first = WIDTH * block.first_width
        others = len(block.header) - 1
        step = (WIDTH - first) / others if others else 0.0

        def row(
            cells: Sequence[str], shades: Sequence[str | None] = (), bold: bool = False
        ) -> None:
            size = 8 if bold else 9
            weight = "bold" if bold else "normal"
            lines = charts.wrap_text(cells[0], size, first - 0.1, weight) or [""]
            height = LINE * len(lines) + 0.06
            if self.figure is None or self.y + height > PAGE[1] - MARGIN:
                self.new_page()
                if not bold:
                    row(block.header, bold=True)
            top = self.y
            for line in lines:
                self.text(MARGIN, line, size, weight=weight)
                self.y += LINE
            bottom, self.y = self.y, top
            for number, cell in enumerate(cells[1:], start=1):
                shade = shades[number] if number < len(shades) else None
                right = MARGIN + first + step * number
                colour = "#000000"
                if shade is not None:
                    self._shade(right - step + 0.1, top - 0.03, step - 0.1, LINE + 0.02, shade)
                    colour = charts.text_colour(shade)
                # A long name heading a column of numbers is cut to the column's width.
                cell = charts.shorten(cell, size, step - 0.2, weight)
                self.text(right - 0.06, cell, size, weight=weight, ha="right", color=colour)
            self.y = bottom
            self.y += 0.06
            if bold:
                self.rule()
                self.y += 0.04

        self.room(3 * LINE)
        row(block.header, bold=True)
        for number, cells in enumerate(block.rows):
            row(cells, block.shades[number] if block.shades else ())
        self.y += 0.15

    def _shade(self, x: float, y: float, width: float, height: float, colour: str) -> None:
        figure = self.room(0)
        figure.patches.append(
            Rectangle(
                (self._x(x), self._y(y + height)),
                width / PAGE[0],
                height / PAGE[1],
                transform=figure.transFigure,
                facecolor=colour,
                edgecolor="#bbbbbb" if colour == charts.HEAT_COLOURS[4] else colour,
                linewidth=0.5,
            )
        )

    def chart(
        self,
        rows: float,
        draw: Callable[[Axes], None],
        label_width: float,
        legend: Sequence[str],
        axis: bool = True,
    ) -> None:
        """A chart ``rows`` inches high, its labels ``label_width`` inches wide on the left and
        its legend above it."""
        legend = [name for name in legend if name]
        legend_height = charts.legend_height(legend, WIDTH, CHART_SIZE)
        height = legend_height + rows + (0.35 if axis else 0.05)
        figure = self.room(height)
        right = 0.3  # numbers printed past the end of a bar
        axes = figure.add_axes(
            (
                self._x(MARGIN + label_width),
                self._y(self.y + legend_height + rows),
                (WIDTH - label_width - right) / PAGE[0],
                rows / PAGE[1],
            )
        )
        draw(axes)
        figure.legend(
            *charts.legend_in_order(axes, legend),
            loc="upper left",
            bbox_to_anchor=(self._x(MARGIN - 0.05), self._y(self.y)),
            ncol=charts.legend_columns(legend, WIDTH, CHART_SIZE),
            fontsize=CHART_SIZE,
            frameon=False,
            borderaxespad=0,
        )
        self.y += height + 0.2

    def dimension_bars(self, block: DimensionBars) -> None:
        label_width = 1.6
        labels = [
            "\n".join(charts.wrap_text(label, CHART_SIZE, label_width - 0.15))
            for label in block.labels
        ]
        group_name, company_name, neutral_label = (
            "\n".join(charts.wrap_text(name, CHART_SIZE, WIDTH - 0.8))
            for name in (block.group_name, block.company_name, block.neutral_label)
        )
        self.chart(
            sum(charts.dimension_row(label, CHART_SIZE) for label in labels),
            partial(
                charts.draw_dimension_bars,
                labels=labels,
                group=block.group,
                company=block.company,
                group_name=group_name,
                company_name=company_name,
                size=CHART_SIZE,
                neutral_label=neutral_label,
            ),
            label_width,
            (group_name, company_name, neutral_label),
        )

    def answer_bars(self, block: AnswerBars) -> None:
        label_width = WIDTH * 0.5
        labels = [
            "\n".join(charts.wrap_text(label, CHART_SIZE, label_width - 0.15))
            for label in block.labels
        ]
        if not labels:
            return
        # Long questionnaires go over pages in parts, each with its legend.
        part: list[int] = []
        for index in range(len(labels) + 1):
            height = sum(charts.answer_rows([labels[i] for i in part], False, CHART_SIZE))
            fits = index < len(labels) and (
                not part
                or self.y
                + 0.65
                + height
                + charts.answer_rows([labels[index]], False, CHART_SIZE)[0]
                <= PAGE[1] - MARGIN
            )
            if fits:
                part.append(index)
                continue
            self.chart(
                height,
                partial(
                    charts.draw_answer_bars,
                    labels=[labels[i] for i in part],
                    shares=[block.shares[i] for i in part],
                    legend=block.legend,
                    size=CHART_SIZE,
                    label_width=label_width,
                    share_labels=[block.share_labels[i] for i in part]
                    if block.share_labels
                    else None,
                ),
                label_width,
                block.legend,
                axis=False,
            )
            if index < len(labels):
                self.new_page()
                part = [index]


def _first_height(block: Block | None) -> float:
    """How much of ``block`` must fit below a heading for the heading to stay with it."""
    if isinstance(block, DimensionBars):
        return 0.3 + sum(charts.dimension_row(label, CHART_SIZE) for label in block.labels) + 0.35
    if isinstance(block, AnswerBars):
        return 0.3 + 3 * charts.ANSWER_BAR
    return 3 * LINE


def report_pages(title: str, blocks: Sequence[Block], footer: str) -> list[Figure]:
    """The report's A4 pages as figures: ``title`` first, then ``blocks``; ``footer`` and the
    page number on every page."""
    pages = _Pages(footer)
    pages.new_page()
    pages.title(title)
    for number, block in enumerate(blocks):
        if isinstance(block, Heading):
            following = blocks[number + 1] if number + 1 < len(blocks) else None
            pages.heading(block, _first_height(following))
        elif isinstance(block, Paragraph):
            pages.paragraph(block)
        elif isinstance(block, Table):
            pages.table(block)
        elif isinstance(block, DimensionBars):
            pages.dimension_bars(block)
        else:
            pages.answer_bars(block)
    return pages.figures


def report_pdf(title: str, blocks: Sequence[Block], footer: str) -> bytes:
    """A PDF of ``blocks`` on A4 pages, with ``footer`` and a page number on every page."""
    buffer = io.BytesIO()
    # No creation date: the same report gives the same bytes.
    with PdfPages(
        buffer, metadata={"Title": title, "Creator": "cxculture", "CreationDate": None}
    ) as pdf:
        for figure in report_pages(title, blocks, footer):
            with charts.glyphs_the_font_lacks_as_boxes():
                pdf.savefig(figure)
    return buffer.getvalue()
