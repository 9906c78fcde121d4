"""Charts read without an analyst: every text at least 11 px high where the page shows it, item
texts on the item chart, open waves said to be open, nothing cut off at the edges."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from cxculture import charts
from cxculture.text_outlines import OutlinedTexts

DIMENSIONS = (
    "Visão do cliente",
    "Escuta",
    "Uma só empresa",
    "Responsabilidade",
    "Certo da primeira vez",
    "Liderança",
)
ITEMS = (
    "1. I know who ultimately benefits from my work.",
    "2. I could explain to a new colleague how my daily tasks affect our customers.",
    "3. Mi trabajo está demasiado lejos de los clientes como para marcar alguna diferencia "
    "para ellos.",
)
DEPARTMENTS = ("Operations/Contact Center", "Commercial/Marketing", "Finance", "IT")
LONG_WAVE = "Pesquisa de orientação ao cliente, segunda rodada do ano fiscal de 2027"


@cache
def _figures(layout: charts.Layout) -> dict[str, Figure]:
    """The four charts drawn for ``layout`` from awkward data (long Portuguese names, long item
    texts, a hidden row, a long wave name); made once per layout, as drawing takes a while."""
    return {
        "dimensions": charts.dimension_figure(
            DIMENSIONS,
            (83.0, 78.0, 69.0, 76.0, 83.0, 100.0),
            (68.0, None, 54.0, 62.0, 67.0, 56.0),
            "Central de Atendimento ao Cliente Corporativo e Parceiros da Região Sul",
            "Empresa",
            layout,
            "50 = neutro",
        ),
        "items": charts.answer_figure(
            ITEMS,
            ((0.6, 0.3, 0.1), (0.05, 0.15, 0.8), (1.0, 0.0, 0.0)),
            ("Favorable", "Neutral", "Unfavorable"),
            layout,
        ),
        "heatmap": charts.heatmap_figure(
            DEPARTMENTS,
            DIMENSIONS,
            (
                (83, 78, 69, 76, 83, 71),
                (None,) * 6,
                (41, 42, 28, 39, 44, 31),
                (5, 15, 45, 55, 95, 100),
            ),
            "Hidden: fewer than 5 responses, or a smaller group could be worked out",
            layout,
            scale_title="Scores from 0 to 100: orange below the neutral middle (50), purple above",
        ),
        "trend": charts.trend_figure(
            ("Wave 1", LONG_WAVE, "Wave 3", "Wave 4"),
            (55.0, None, 61.5, 64.0),
            "Company",
            (False, False, False, True),
            "still open",
            layout,
            "50 = neutral",
        ),
    }


@dataclass(frozen=True)
class Drawn:
    """A text as drawn: a text object, or one of a collection of outlined texts."""

    text: str
    size: float
    box: Bbox
    colour: str
    in_axes: bool


def _texts(figure: Figure) -> list[Drawn]:
    """Every text drawn on ``figure`` (tick labels, legends, annotations and outlined texts
    included)."""
    FigureCanvasAgg(figure).draw()
    drawn = [
        Drawn(
            text.get_text(),
            text.get_fontsize(),
            text.get_window_extent(),
            to_hex(text.get_color()),
            text.axes is not None,
        )
        for text in figure.findobj(Text)
        if isinstance(text, Text) and text.get_visible() and text.get_text().strip()
    ]
    for shapes in figure.findobj(OutlinedTexts):
        assert isinstance(shapes, OutlinedTexts)
        colours = shapes.get_facecolors()
        drawn += [
            Drawn(text, shapes.size, box, to_hex(colour), True)
            for text, box, colour in zip(
                shapes.texts, shapes.window_extents(), colours, strict=True
            )
        ]
    return drawn


LAYOUTS = list(charts.LAYOUTS.values())
CHARTS = ["dimensions", "items", "heatmap", "trend"]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
@pytest.mark.parametrize("chart", CHARTS)
def test_every_text_is_at_least_11_px_at_the_size_shown(layout, chart):
    figure = _figures(layout)[chart]
    image_px = figure.get_figwidth() * charts.DPI
    # The page gives the image ``layout.width`` CSS px; in the narrowest box allowed it shrinks.
    display_scale = layout.narrowest / image_px
    for text in _texts(figure):
        shown = text.size * charts.DPI / 72 * display_scale
        assert shown >= charts.READABLE_PX, (text.text, round(shown, 1))


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_images_are_drawn_at_two_pixels_per_css_pixel_of_the_layout(layout):
    for figure in _figures(layout).values():
        assert figure.get_figwidth() * charts.DPI == pytest.approx(2 * layout.width)


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
@pytest.mark.parametrize("chart", CHARTS)
def test_no_text_runs_off_the_image(layout, chart):
    figure = _figures(layout)[chart]
    width, height = figure.get_size_inches() * charts.DPI
    for text in _texts(figure):
        box = text.box
        where = (text.text, box)
        assert box.x0 >= -1, where
        assert box.x1 <= width + 1, where
        assert box.y0 >= -1, where
        assert box.y1 <= height + 1, where


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_the_item_chart_carries_each_items_text(layout):
    drawn = " ".join(text.text.replace("\n", " ") for text in _texts(_figures(layout)["items"]))
    for item in ITEMS:
        assert item in drawn


def test_wide_item_charts_put_the_text_beside_the_bar_and_phones_above_it():
    def label_positions(layout):
        figure = _figures(layout)["items"]
        axes = figure.axes[0]
        texts = [t for t in _texts(figure) if t.text.startswith("1.")]
        return texts[0].box, axes.get_window_extent()

    text, bars = label_positions(charts.WIDE)
    assert text.x1 <= bars.x0  # beside
    text, bars = label_positions(charts.NARROW)
    assert text.x0 >= bars.x0 - 1  # above, over the bars' width


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_an_open_wave_says_it_is_open(layout):
    texts = [text.text.replace("\n", " ") for text in _texts(_figures(layout)["trend"])]
    ticks = [text for text in texts if text.startswith("Wave 4")]
    assert len(ticks) == 1
    assert "(still open)" in ticks[0]
    assert "Still open" in texts  # the legend of the hollow marker
    assert not any("(still open)" in text for text in texts if text.startswith("Wave 3"))


def test_an_open_wave_without_figures_is_still_marked():
    figure = charts.trend_figure(
        ("Wave 1", "Wave 2"), (55.0, None), "Company", (False, True), "still open"
    )
    texts = [text.text.replace("\n", " ") for text in _texts(figure)]
    assert any(text.startswith("Wave 2") and "(still open)" in text for text in texts)
    assert "Still open" not in texts  # no hollow marker to explain


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_heatmap_cells_print_their_numbers_in_readable_ink(layout):
    figure = _figures(layout)["heatmap"]
    cells = {
        text.text: text.colour for text in _texts(figure) if text.text.isdigit() and text.in_axes
    }
    for number in ("5", "15", "45", "55", "95", "100", "83", "28"):
        background = charts.HEAT_COLOURS[charts.scale_step(int(number))]
        assert charts.contrast(cells[number], background) >= 4.5, number


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.name)
def test_the_heatmap_key_names_every_step_and_hidden_groups(layout):
    texts = [text.text for text in _texts(_figures(layout)["heatmap"])]
    for label in charts.default_step_labels():
        assert label in texts
    assert any(text.startswith("Hidden: fewer than 5") for text in texts)
    assert any(text.startswith("Scores from 0 to 100") for text in texts)


def test_wrapped_lines_fit_and_keep_every_word():
    text = "Operations/Contact Center/Night shift " + "customer " * 12
    for width in (0.8, 1.5, 3.0):
        lines = charts.wrap_text(text, 10, width)
        assert all(charts.text_width(line, 10) <= width for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert charts.wrap_text("Operations/Contact Center", 10, 1.0)[0] == "Operations/"


def test_a_word_longer_than_a_line_is_cut_where_it_must_be():
    lines = charts.wrap_text("Responsabilidadeorganizacional", 10, 0.6)
    assert len(lines) > 1
    assert "".join(lines) == "Responsabilidadeorganizacional"
    assert all(charts.text_width(line, 10) <= 0.6 for line in lines)
