"""How charts are drawn: few artists however much data (one mesh of heatmap cells, one
collection per kind of text or bar), figures freed as soon as they are encoded, PNGs that
decode to what was drawn. Timings are measured by ``make bench``, not here."""

from __future__ import annotations

import gc
import io

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection, PolyCollection, QuadMesh
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from PIL import Image

from cxculture import charts
from cxculture.text_outlines import OutlinedTexts, outline

DIMENSIONS = ("Line of sight", "Listen", "One company", "Ownership", "Right first time", "Lead")
ROWS = tuple(f"Division {n // 5}/Team {n:02d}" for n in range(20))
VALUES = tuple(
    tuple(None if row == 7 else float((row * 13 + c * 7) % 100) for c in range(6))
    for row in range(20)
)


def _heatmap() -> Figure:
    figure = charts.heatmap_figure(ROWS, DIMENSIONS, VALUES, "Hidden: fewer than 5 answers")
    FigureCanvasAgg(figure).draw()
    return figure


def _outlined(figure: Figure) -> list[OutlinedTexts]:
    return [shapes for shapes in figure.findobj(OutlinedTexts) if isinstance(shapes, OutlinedTexts)]


def test_a_20_by_6_heatmap_draws_its_cells_as_one_mesh():
    axes = _heatmap().axes[0]
    meshes = [artist for artist in axes.collections if isinstance(artist, QuadMesh)]
    assert len(meshes) == 1
    assert meshes[0].get_array().shape == (20, 6)
    assert not [patch for patch in axes.patches if isinstance(patch, Rectangle)]


def test_the_heatmap_mesh_colours_each_cell_by_its_step():
    mesh = next(a for a in _heatmap().axes[0].collections if isinstance(a, QuadMesh))
    colours = mesh.get_facecolors().reshape(20, 6, 4)
    for row in (0, 7, 19):
        for column in range(6):
            value = VALUES[row][column]
            expected = (
                charts.HIDDEN if value is None else charts.HEAT_COLOURS[charts.scale_step(value)]
            )
            assert charts.matplotlib.colors.to_hex(colours[row, column]) == expected.lower()


def test_hidden_cells_are_hatched_as_one_collection():
    axes = _heatmap().axes[0]
    hatched = [a for a in axes.collections if isinstance(a, PatchCollection) and a.get_hatch()]
    assert len(hatched) == 1
    assert len(hatched[0].get_paths()) == 6  # the hidden department's six cells


def test_the_heatmap_still_prints_every_number_and_every_name():
    figure = _heatmap()
    outlined = _outlined(figure)
    texts = [text for shapes in outlined for text in shapes.texts]
    shown = [f"{value:.0f}" for row in VALUES for value in row if value is not None]
    assert sorted(text for text in texts if text.isdigit()) == sorted(shown)
    for row in ROWS:
        assert row in texts or row.replace("/", "/\n") in texts  # wrapped where it must be
    drawn = {text.get_text() for text in figure.findobj(Text) if isinstance(text, Text)}
    assert set(DIMENSIONS) <= {label.replace("\n", " ") for label in drawn}
    assert "Hidden: fewer than 5 answers" in drawn  # the key says what the hatching means


def test_the_heatmap_draws_a_handful_of_artists_not_one_per_cell():
    axes = _heatmap().axes[0]
    assert len(axes.get_children()) < 30  # 120 cells and 20 names once took over 260


def test_answer_bars_draw_one_collection_per_answer_and_keep_their_legend():
    labels = tuple(f"{n}. Statement number {n} about our customers" for n in range(1, 26))
    shares = tuple((0.5, 0.3, 0.2) for _label in labels)
    figure = charts.answer_figure(labels, shares, ("Favorable", "Neutral", "Unfavorable"))
    FigureCanvasAgg(figure).draw()
    axes = figure.axes[0]
    bars = [a for a in axes.collections if isinstance(a, PolyCollection)]
    assert [len(collection.get_paths()) for collection in bars] == [25, 25, 25]
    names = ["Favorable", "Neutral", "Unfavorable"]
    assert [collection.get_label() for collection in bars] == names
    legend = figure.legends[0]
    assert [text.get_text() for text in legend.get_texts()] == [
        "Favorable",
        "Neutral",
        "Unfavorable",
    ]
    texts = [text for shapes in _outlined(figure) for text in shapes.texts]
    assert set(labels) <= set(text.replace("\n", " ") for text in texts)
    assert texts.count("50%") == 25


def test_a_pdfs_answer_bars_keep_their_shares_as_text():
    figure = Figure(figsize=(6, 3))
    axes = figure.add_axes((0.4, 0.1, 0.5, 0.8))
    charts.draw_answer_bars(axes, ["1. We listen"], [(0.6, 0.3, 0.1)], ("F", "N", "U"))
    texts = {text.get_text() for text in axes.texts}
    assert {"1. We listen", "60%", "30%"} <= texts  # text a PDF reader can select
    assert not _outlined(figure)


def test_an_outline_is_placed_as_the_text_would_be():
    centred = outline("83", 10).get_extents()
    assert centred.x0 == pytest.approx(-centred.x1, abs=0.5)
    left = outline("83", 10, "left").get_extents()
    assert 0 <= left.x0 < 1
    right = outline("83", 10, "right").get_extents()
    assert -1 < right.x1 <= 0
    one, two = (outline(text, 10, "left", "top").get_extents() for text in ("Wo", "Wo\nWo"))
    assert one.y1 < 0  # hangs below its anchor
    assert two.y1 <= one.y1
    assert two.height > 2 * one.height  # the second line below the first, not on it


def test_the_png_decodes_to_what_was_drawn():
    figure = charts.trend_figure(("W1", "W2"), (50.0, 60.0), "Company")
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    drawn = np.asarray(canvas.buffer_rgba())[:, :, :3]
    png = charts.encode_png(canvas.buffer_rgba(), width, height)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    decoded = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert np.array_equal(decoded, drawn)


def _figures_alive() -> int:
    return sum(1 for thing in gc.get_objects() if isinstance(thing, Figure))


@pytest.mark.parametrize("collector_on", [True, False])
def test_a_render_frees_its_figure_and_leaves_the_collector_as_it_was(collector_on):
    gc.collect()
    before = _figures_alive()
    if not collector_on:
        gc.disable()
    try:
        charts.heatmap.__wrapped__(ROWS, DIMENSIONS, VALUES, "hidden")
        assert gc.isenabled() is collector_on
        assert _figures_alive() == before  # freed at once, not at some later collection
    finally:
        gc.enable()
