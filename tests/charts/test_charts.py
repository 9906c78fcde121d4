"""Charts are pure: plain numbers in, PNG bytes out, no Flask and no pyplot."""

from __future__ import annotations

import io
import sys

import pypdf

from cxculture import charts, pdf_report

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
    heat = charts.heatmap(("Sales", "Finance"), ("Listen", "Lead"), ((80, 60), (None, 30)), "<5")
    assert heat.startswith(PNG)


def test_pyplot_is_never_imported():
    assert "matplotlib.pyplot" not in sys.modules


def test_the_trend_leaves_a_gap_for_a_hidden_wave():
    image = charts.trend_line(("Wave 1", "Wave 2", "Wave 3"), (55.0, None, 61.5), "Company")
    assert image.startswith(PNG)


def test_every_layout_draws_every_chart():
    for layout in charts.LAYOUTS.values():
        assert charts.trend_line(("W1", "W2"), (50.0, 60.0), "Co", layout=layout).startswith(PNG)
        assert charts.heatmap(("IT",), ("Listen",), ((50.0,),), "", layout).startswith(PNG)


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_a_report_flows_over_pages_and_repeats_a_tables_header():
    rows = tuple((f"Statement number {n} about customers", f"{n}%") for n in range(80))
    pdf = pdf_report.report_pdf(
        "Contact Center",
        [
            pdf_report.Paragraph("Índice: 72 — atenção ao cliente"),
            pdf_report.Heading("Dimensions"),
            pdf_report.DimensionBars(
                ("Listen", "Lead"), (70.0, 40.0), (60.0, None), "CC", "Company"
            ),
            pdf_report.AnswerBars(
                ("1. We listen", "2. We lead"), ((0.5, 0.3, 0.2), (0.1, 0.1, 0.8)), ("F", "N", "U")
            ),
            pdf_report.Table(("Statement", "Favorable"), rows),
        ],
        "Contact Center · for the team",
    )
    assert pdf.startswith(b"%PDF")
    pages = _pages(pdf)
    assert len(pages) >= 3
    assert "Índice: 72 — atenção ao cliente" in pages[0]
    assert "1. We listen" in pages[0]  # the item's text beside its bar
    assert all("Statement Favorable" in page for page in pages[1:])  # the header again
    assert all(f"·  {number}" in page for number, page in enumerate(pages, start=1))
    text = "\n".join(pages)
    assert all(f"Statement number {n} about customers" in text for n in range(80))


def test_the_same_report_gives_the_same_bytes():
    blocks = [
        pdf_report.Heading("Where to act"),
        pdf_report.Paragraph("Listen (40): Hear the customer"),
    ]
    assert pdf_report.report_pdf("IT", blocks, "IT") == pdf_report.report_pdf("IT", blocks, "IT")


def test_dollar_signs_in_names_are_text_not_maths():
    image = charts.dimension_bars(("Line $of$ sight",), (50.0,), (55.0,), "Vendas $ ^^ $", "Co")
    assert image.startswith(PNG)
    pdf = pdf_report.report_pdf("Vendas $ ^^ $", [pdf_report.Paragraph("US$ 5 ^ 2 $")], "$ footer")
    assert "Vendas $ ^^ $" in _pages(pdf)[0]
