"""Answer-code cards as a PDF: eight cards to an A4 page, dashed lines to cut along, each with
its holder's name, employee number and code, what to do with them in the holder's language,
and a QR code to the page where codes are entered.

Pure like ``pdf_report``: callers pass texts already translated and the QR code's modules.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from cxculture import charts

PAGE = (8.27, 11.69)  # A4, inches
COLUMNS, ROWS = 2, 4
MARGIN = 0.35
QR_SIZE = 1.15  # inches: readable by a phone's camera from a hand's length


@dataclass(frozen=True)
class Card:
    """One card's texts, in its holder's language."""

    heading: str  # "Customer survey" or the company's name
    survey: str  # the survey's name in the holder's language
    name: str
    number_line: str  # "Employee number: 1234" (or a line saying there is none)
    code_label: str
    code: str  # as printed: two groups of five
    steps: str  # what to do: scan or open the address, type number and code
    address: str  # the page's address, for those without a camera
    closes: str  # "Open until ..."
    privacy: str  # what the survey promises


def cards_pdf(cards: Sequence[Card], qr_modules: Sequence[Sequence[bool]], title: str) -> bytes:
    """The PDF of ``cards`` (eight to a page). ``qr_modules``: the QR code's dark modules, row
    by row, quiet zone included; drawn as one image per card."""
    qr = 1.0 - np.asarray(qr_modules, dtype=float)  # dark modules black on white
    out = io.BytesIO()
    per_page = COLUMNS * ROWS
    with PdfPages(out, metadata={"Title": title, "Creator": "cxculture"}) as pdf:
        for start in range(0, max(len(cards), 1), per_page):
            figure = Figure(figsize=PAGE)
            _cut_lines(figure)
            for index, card in enumerate(cards[start : start + per_page]):
                _card(figure, card, qr, index % COLUMNS, index // COLUMNS)
            pdf.savefig(figure)
    return out.getvalue()


def _cell() -> tuple[float, float]:
    width = (PAGE[0] - 2 * MARGIN) / COLUMNS
    height = (PAGE[1] - 2 * MARGIN) / ROWS
    return width, height


def _cut_lines(figure: Figure) -> None:
    width, height = _cell()
    style = {"color": "#888888", "linewidth": 0.6, "linestyle": (0, (4, 3))}
    for column in range(COLUMNS + 1):
        x = (MARGIN + column * width) / PAGE[0]
        figure.add_artist(_line([x, x], [MARGIN / PAGE[1], 1 - MARGIN / PAGE[1]], figure, style))
    for row in range(ROWS + 1):
        y = 1 - (MARGIN + row * height) / PAGE[1]
        figure.add_artist(_line([MARGIN / PAGE[0], 1 - MARGIN / PAGE[0]], [y, y], figure, style))


def _line(xs: list[float], ys: list[float], figure: Figure, style: dict) -> Line2D:
    return Line2D(xs, ys, transform=figure.transFigure, **style)


def _card(figure: Figure, card: Card, qr: np.ndarray, column: int, row: int) -> None:
    width, height = _cell()
    left = MARGIN + column * width + 0.2  # inches from the page's left edge
    top = MARGIN + row * height + 0.22  # inches from the page's top edge
    text_width = width - 0.4 - QR_SIZE - 0.15

    y = top

    def put(text: str, size: float, step: float, **kwargs: Any) -> None:
        nonlocal y
        figure.text(left / PAGE[0], 1 - y / PAGE[1], text, fontsize=size, va="top", **kwargs)
        y += step

    def paragraph(text: str, size: float, wide: float, most: int, **kwargs: Any) -> None:
        """``text`` wrapped to ``wide`` inches, at most ``most`` lines of it."""
        for line in charts.wrap_text(text, size, wide, kwargs.get("weight", "normal"))[:most]:
            put(line, size, size / 58, **kwargs)

    grey = "#555555"
    full = width - 0.4
    put(card.heading, 7.5, 0.17, color=grey)
    paragraph(card.survey, 9.5, text_width, 2, weight="bold")
    y += 0.05
    paragraph(card.name, 9, text_width, 1)
    put(card.number_line, 8, 0.2)
    put(card.code_label, 7.5, 0.14, color=grey)
    put(card.code, 17, 0.33, family="DejaVu Sans Mono", weight="bold")
    paragraph(card.steps, 7, full, 5)
    paragraph(card.address, 7, full, 1, family="DejaVu Sans Mono")
    paragraph(card.closes, 7, full, 1)
    paragraph(card.privacy, 6.5, full, 3, color=grey)

    qr_left = MARGIN + (column + 1) * width - 0.2 - QR_SIZE
    axes = figure.add_axes(
        (
            qr_left / PAGE[0],
            1 - (top + QR_SIZE) / PAGE[1],
            QR_SIZE / PAGE[0],
            QR_SIZE / PAGE[1],
        )
    )
    axes.imshow(qr, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    axes.set_axis_off()
