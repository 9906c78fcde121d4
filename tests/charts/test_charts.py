"""Charts are pure: plain numbers in, PNG bytes out, no Flask and no pyplot."""

from __future__ import annotations

import sys

from cxculture import charts

PNG = b"\x89PNG\r\n\x1a\n"


def test_dimension_bars_render_a_png():
    image = charts.dimension_bars(
        ("Line of sight", "Listen"), (72.0, 40.5), (65.0, None), "Contact Center", "Company"
    )
    assert image.startswith(PNG)


def test_the_same_numbers_are_not_rendered_twice():
    charts.dimension_bars.cache_clear()
    args = (("Listen",), (50.0,), (55.0,), "IT", "Company")
    first = charts.dimension_bars(*args)
    second = charts.dimension_bars(*args)
    assert first is second
    assert charts.dimension_bars.cache_info().hits == 1


def test_answer_bars_and_heatmap_render(tmp_path):
    bars = charts.answer_bars(
        ("I know who benefits", "Feedback rarely reaches us"),
        ((0.6, 0.3, 0.1), (0.2, 0.2, 0.6)),
        ("Favorable", "Neutral", "Unfavorable"),
    )
    assert bars.startswith(PNG)
    heat = charts.heatmap(["Sales", "Finance"], ["Listen", "Lead"], [[80, 60], [None, 30]], "<5")
    assert heat.startswith(PNG)


def test_pyplot_is_never_imported():
    assert "matplotlib.pyplot" not in sys.modules
