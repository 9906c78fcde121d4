"""A department's report as PDF: blocks (headings, paragraphs, tables, charts) flowed top to
bottom over A4 pages in the reader's language, through matplotlib's PdfPages.

Pure like ``charts``: nothing here knows of Flask or the database; callers pass numbers the
release layer released and texts already translated.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

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
    """A table whose first column is text (wrapped) and whose other columns are right-aligned."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    first_width: float = 0.55  # share of the line given to the first column


@dataclass(frozen=True)
class DimensionBars:
    labels: tuple[str, ...]
    group: tuple[float, ...]
    company: tuple[float | None, ...]
    group_name: str
    company_name: str


@dataclass(frozen=True)
class AnswerBars:
    labels: tuple[str, ...]
    shares: tuple[tuple[float, float, float], ...]
    legend: tuple[str, str, str]


Block = Heading | Paragraph | Table | DimensionBars | AnswerBars

PAGE = (8.27, 11.69)  # A4, inches
MARGIN = 0.7
LINE = 0.19  # inches per line of 9-point text
CHAR = 0.068  # inches per character of 9-point text, on average


class _Pages:
    """Places blocks on A4 figures, starting a new page when a block does not fit."""

    def __init__(self, pdf: PdfPages, footer: str):
        self.pdf = pdf
        self.footer = footer
        self.figure: Figure | None = None
        self.y = 0.0  # inches from the top
        self.number = 0

    @property
    def width(self) -> float:
        return PAGE[0] - 2 * MARGIN

    def _x(self, inches: float) -> float:
        return inches / PAGE[0]

    def _y(self, inches: float) -> float:
        return 1 - inches / PAGE[1]

    def new_page(self) -> Figure:
        self.finish_page()
        self.figure = Figure(figsize=PAGE)
        self.number += 1
        self.y = MARGIN
        self.figure.text(
            self._x(MARGIN),
            self._y(PAGE[1] - MARGIN / 2),
            f"{self.footer}  ·  {self.number}",
            fontsize=7,
            color="#555555",
        )
        return self.figure

    def finish_page(self) -> None:
        if self.figure is not None:
            # matplotlib's backend_pdf has no type annotations (and no stub) for PdfPages.
            self.pdf.savefig(self.figure)  # type: ignore[no-untyped-call]
            self.figure = None

    def room(self, height: float) -> Figure:
        """The current page, or a new one when ``height`` inches do not fit on it."""
        if self.figure is None or self.y + height > PAGE[1] - MARGIN:
            return self.new_page()
        return self.figure

    def text(self, x: float, text: str, size: float, **kwargs: Any) -> None:
        figure = self.room(0)
        figure.text(self._x(x), self._y(self.y), text, fontsize=size, va="top", **kwargs)

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

    def heading(self, block: Heading, following: float) -> None:
        self.room(0.55 + following)  # never alone at the foot of a page
        self.y += 0.15
        self.text(MARGIN, block.text, 12, weight="bold")
        self.y += 0.35

    def paragraph(self, block: Paragraph) -> None:
        columns = int(self.width / (CHAR * block.size / 9))
        for line in textwrap.wrap(block.text, columns) or [""]:
            self.room(LINE * block.size / 9)
            self.text(MARGIN, line, block.size)
            self.y += LINE * block.size / 9
        self.y += 0.08

    def table(self, block: Table) -> None:
        first = self.width * block.first_width
        others = len(block.header) - 1
        step = (self.width - first) / others if others else 0.0

        def row(cells: Sequence[str], weight: str = "normal") -> None:
            size = 8 if weight == "bold" else 9
            lines = textwrap.wrap(cells[0], int(first / CHAR * 0.95)) or [""]
            height = LINE * len(lines) + 0.06
            if self.figure is None or self.y + height > PAGE[1] - MARGIN:
                self.new_page()
                if weight == "normal":
                    row(block.header, "bold")
            top = self.y
            for line in lines:
                self.text(MARGIN, line, size, weight=weight)
                self.y += LINE
            bottom, self.y = self.y, top
            for number, cell in enumerate(cells[1:], start=1):
                self.text(MARGIN + first + step * number, cell, size, weight=weight, ha="right")
            self.y = bottom
            self.y += 0.06
            if weight == "bold":
                self.rule()
                self.y += 0.04

        self.room(3 * LINE)
        row(block.header, "bold")
        for cells in block.rows:
            row(cells)
        self.y += 0.15

    def chart(
        self, rows: int, height_per_row: float, draw: Callable[[Axes], None], label_width: float
    ) -> None:
        height = height_per_row * rows + 0.9
        figure = self.room(height)
        axes = figure.add_axes(
            (
                self._x(MARGIN + label_width),
                self._y(self.y + height - 0.45),
                self._x(self.width - label_width - 0.2),
                (height - 0.6) / PAGE[1],
            )
        )
        draw(axes)
        self.y += height + 0.3


DIMENSION_ROW, ANSWER_ROW = 0.42, 0.26  # inches per bar row in the report's charts


def _first_height(block: Block | None) -> float:
    """How much of ``block`` must fit below a heading for the heading to stay with it."""
    if isinstance(block, DimensionBars):
        return DIMENSION_ROW * len(block.labels) + 0.9
    if isinstance(block, AnswerBars):
        return ANSWER_ROW * len(block.labels) + 0.9
    return 3 * LINE


def report_pdf(title: str, blocks: Sequence[Block], footer: str) -> bytes:
    """A PDF of ``blocks`` on A4 pages, with ``footer`` and a page number on every page."""
    buffer = io.BytesIO()
    # No creation date: the same report gives the same bytes.
    with PdfPages(
        buffer, metadata={"Title": title, "Creator": "cxculture", "CreationDate": None}
    ) as pdf:
        pages = _Pages(pdf, footer)
        pages.new_page()
        pages.text(MARGIN, title, 16, weight="bold")
        pages.y += 0.45
        for number, block in enumerate(blocks):
            if isinstance(block, Heading):
                following = blocks[number + 1] if number + 1 < len(blocks) else None
                pages.heading(block, _first_height(following))
            elif isinstance(block, Paragraph):
                pages.paragraph(block)
            elif isinstance(block, Table):
                pages.table(block)
            elif isinstance(block, DimensionBars):
                pages.chart(
                    len(block.labels),
                    DIMENSION_ROW,
                    partial(
                        charts.draw_dimension_bars,
                        labels=block.labels,
                        group=block.group,
                        company=block.company,
                        group_name=block.group_name,
                        company_name=block.company_name,
                    ),
                    label_width=1.5,
                )
            else:
                pages.chart(
                    len(block.labels),
                    ANSWER_ROW,
                    partial(
                        charts.draw_answer_bars,
                        labels=block.labels,
                        shares=block.shares,
                        legend=block.legend,
                    ),
                    label_width=0.5,
                )
        pages.finish_page()
    return buffer.getvalue()
