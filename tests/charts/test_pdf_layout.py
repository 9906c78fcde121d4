"""The PDF report keeps every text within the page margins, however long the names."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from cxculture import charts, pdf_report

SURVEY = (
    "Pesquisa anual de orientação ao cliente para todas as áreas de atendimento, operações e "
    "suporte técnico, segunda rodada 2027"
)
DEPARTMENT = (
    "Operações e Atendimento/Central de Relacionamento com Clientes Corporativos/"
    "Equipe de Suporte Técnico Noturno Regional Sul"
)
TITLE = f"{DEPARTMENT} — {SURVEY}"


def _blocks() -> list[pdf_report.Block]:
    items = tuple(
        f"{number}. Quando um problema de um cliente chega até mim, eu o acompanho até que seja "
        f"resolvido, mesmo que seja de outro departamento ({number})."
        for number in range(1, 21)
    )
    return [
        pdf_report.Paragraph(f"Pesquisa “{SURVEY}”, de 1 de março a 31 de março de 2027."),
        pdf_report.Paragraph(
            f"Subiu 8 pontos desde “{SURVEY}”: uma mudança real, não um acaso.", size=11
        ),
        pdf_report.Heading(f"Dimensões de {DEPARTMENT}"),
        pdf_report.DimensionBars(
            ("Visão do cliente", "Certo da primeira vez", "Responsabilidade"),
            (100.0, 64.0, 48.0),
            (68.0, None, 55.0),
            DEPARTMENT,  # the legend names the group in full
            "Empresa",
            "50 = neutro",
        ),
        pdf_report.Table(
            ("Dimensão", DEPARTMENT.rpartition("/")[2], "Empresa"),
            (("Visão do cliente", "100", "68"), ("Certo da primeira vez", "64", "—")),
            shades=(
                (None, charts.HEAT_COLOURS[8], charts.HEAT_COLOURS[6]),
                (None, charts.HEAT_COLOURS[6], None),
            ),
        ),
        pdf_report.Heading("Item a item"),
        pdf_report.AnswerBars(
            items,
            tuple((0.6, 0.3, 0.1) for _item in items),
            ("Favorável", "Neutro", "Desfavorável"),
        ),
    ]


def _pages():
    figures = pdf_report.report_pages(TITLE, _blocks(), f"{TITLE} · para a conversa da equipe")
    for figure in figures:
        FigureCanvasAgg(figure).draw()
    return figures


def _texts(figure) -> list[Text]:
    return [
        text
        for text in figure.findobj(Text)
        if isinstance(text, Text) and text.get_visible() and text.get_text().strip()
    ]


def test_the_names_are_long_enough_to_matter():
    assert len(SURVEY) >= 120
    assert len(DEPARTMENT) >= 120
    assert charts.text_width(TITLE, pdf_report.TITLE_SIZE) > 3 * pdf_report.WIDTH


def test_every_text_stays_within_the_margins():
    figures = _pages()
    assert len(figures) >= 2
    for number, figure in enumerate(figures, start=1):
        dpi = figure.dpi
        left = pdf_report.MARGIN * dpi
        right = (pdf_report.PAGE[0] - pdf_report.MARGIN) * dpi
        for text in _texts(figure):
            box = text.get_window_extent()
            # A point of slack: the page's own font rounding, not a layout error.
            where = (number, text.get_text(), box)
            assert box.x0 >= left - 1, where
            assert box.x1 <= right + 1, where
            assert box.y0 >= 0, where
            assert box.y1 <= pdf_report.PAGE[1] * dpi, where


def test_the_long_title_wraps_and_is_whole():
    first = _pages()[0]
    bold = [
        text.get_text()
        for text in _texts(first)
        if text.get_fontsize() == pdf_report.TITLE_SIZE and text.get_fontweight() == "bold"
    ]
    assert len(bold) >= 3  # several lines
    assert " ".join(bold).replace("/ ", "/") == TITLE


def test_a_long_footer_is_shortened_but_keeps_the_page_number():
    for number, figure in enumerate(_pages(), start=1):
        footers = [t.get_text() for t in _texts(figure) if t.get_text().endswith(f"·  {number}")]
        assert len(footers) == 1
        assert "…" in footers[0]


@pytest.mark.parametrize("width", [1.0, 2.5, pdf_report.WIDTH])
def test_paragraph_lines_are_measured_not_counted(width):
    lines = charts.wrap_text(TITLE, 9, width)
    assert all(charts.text_width(line, 9) <= width for line in lines)
