"""The colour scale of scores: diverging around the neutral point, in steps anyone can tell apart
(colour-blind readers too), each readable with its text, the same in the PNGs and the pages."""

from __future__ import annotations

import math
import re
from itertools import combinations

import pytest

from cxculture import PROJECT_ROOT, charts
from cxculture.scoring.scores import scale_to_100

STYLESHEET = PROJECT_ROOT / "static" / "css" / "app.css"
WCAG_AA = 4.5

# Machado, Oliveira & Fernandes (2009), full severity: linear RGB as a dichromat sees it.
DICHROMACY = {
    "protan": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deutan": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritan": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}
# CIE76 colour difference: about 2.3 is just noticeable side by side; 10 is plainly different.
APART = 10.0


def _linear(colour: str) -> tuple[float, ...]:
    return tuple(charts._linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))


def _lab(rgb: tuple[float, ...]) -> tuple[float, float, float]:
    """CIELAB (D65) of a linear sRGB colour."""
    red, green, blue = (min(max(channel, 0.0), 1.0) for channel in rgb)
    x = (0.4124 * red + 0.3576 * green + 0.1805 * blue) / 0.95047
    y = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    z = (0.0193 * red + 0.1192 * green + 0.9505 * blue) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _seen(colour: str, matrix) -> tuple[float, float, float]:
    rgb = _linear(colour)
    return _lab(tuple(sum(m * c for m, c in zip(row, rgb, strict=True)) for row in matrix))


def test_the_neutral_point_is_the_middle_answer():
    assert charts.NEUTRAL == 50 == scale_to_100(3)
    middle = len(charts.HEAT_COLOURS) // 2
    low, high = charts.step_bounds(middle)
    assert low < charts.NEUTRAL < high  # the neutral step is centred on it
    assert charts.scale_step(charts.NEUTRAL) == middle
    # As many steps below as above: the scale diverges around the neutral point.
    assert charts.scale_step(charts.NEUTRAL - 20) == middle - 2
    assert charts.scale_step(charts.NEUTRAL + 20) == middle + 2


def test_steps_are_monotone_and_cover_the_scale():
    steps = [charts.scale_step(value / 10) for value in range(0, 1001)]
    assert steps == sorted(steps)
    assert set(steps) == set(range(len(charts.HEAT_COLOURS)))
    for step in range(len(charts.HEAT_COLOURS)):
        low, high = charts.step_bounds(step)
        if low is not None:
            assert charts.scale_step(low) == step
            assert charts.scale_step(low - 1) == step - 1
        if high is not None:
            assert charts.scale_step(high) == step
            assert charts.scale_step(high + 1) == step + 1


def test_a_cell_is_coloured_by_the_number_it_shows():
    assert charts.scale_step(54.4) == charts.scale_step(54)  # reads 54
    assert charts.scale_step(54.6) == charts.scale_step(55)  # reads 55: the next step
    assert charts.scale_step(54.6) != charts.scale_step(54.4)


def test_scores_eight_points_apart_get_different_colours():
    """The reported case: 60 and 68 looked alike on the old scale."""
    assert charts.HEAT_COLOURS[charts.scale_step(60)] != charts.HEAT_COLOURS[charts.scale_step(68)]
    # Between the open-ended ends (under 15, 85 or more), ten points apart is always a step.
    for value in range(charts.STEP_EDGES[0] - 10, charts.STEP_EDGES[-1]):
        assert charts.scale_step(value + 10) > charts.scale_step(value)


def test_steps_darken_away_from_the_neutral_point():
    lightness = [_lab(_linear(colour))[0] for colour in charts.HEAT_COLOURS]
    middle = len(charts.HEAT_COLOURS) // 2
    assert lightness[: middle + 1] == sorted(lightness[: middle + 1])
    assert lightness[middle:] == sorted(lightness[middle:], reverse=True)


@pytest.mark.parametrize("vision", ["typical", *DICHROMACY])
def test_every_two_steps_are_told_apart(vision):
    matrix = DICHROMACY.get(vision, ((1, 0, 0), (0, 1, 0), (0, 0, 1)))
    seen = [_seen(colour, matrix) for colour in charts.HEAT_COLOURS]
    for first, second in combinations(range(len(seen)), 2):
        assert math.dist(seen[first], seen[second]) >= APART, (vision, first, second)


def test_text_on_every_step_reaches_wcag_aa():
    for colour in (*charts.HEAT_COLOURS, charts.FAVORABLE, charts.NEUTRAL_ANSWER):
        assert charts.contrast(charts.text_colour(colour), colour) >= WCAG_AA, colour
    assert charts.contrast(charts.text_colour(charts.UNFAVORABLE), charts.UNFAVORABLE) >= WCAG_AA


def test_the_contrast_ratio_is_wcags():
    assert charts.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert charts.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def _stylesheet_steps() -> dict[int, tuple[str, str]]:
    css = STYLESHEET.read_text()
    block = css[css.index("/* Heatmap cells") :]
    found = re.findall(
        r"\.cx-heat-(\d+) \{ background-color: (#[0-9a-f]{6}) !important; "
        r"color: (#[0-9a-f]{3}) !important; \}",
        block,
    )
    return {int(step): (background, text) for step, background, text in found}


def test_the_pages_cells_use_the_charts_steps_with_readable_text():
    steps = _stylesheet_steps()
    assert sorted(steps) == list(range(len(charts.HEAT_COLOURS)))
    for step, (background, text) in steps.items():
        assert background == charts.HEAT_COLOURS[step]
        full = "#" + "".join(2 * digit for digit in text[1:])
        assert charts.contrast(full, background) >= WCAG_AA, step
