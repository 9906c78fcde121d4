"""HR's exports and a department's PDF show what the screen shows, and nothing of hidden groups."""

from __future__ import annotations

import csv
import io

import pypdf
from openpyxl import load_workbook

from cxculture.exports import csv_bytes, safe_sheet_title, safe_text
from cxculture.scoring.dimensions import DIMENSIONS

HIDDEN = "Hidden: fewer than 5 responses, or a smaller group could be worked out"


def _csv(browser, survey: int) -> list[dict[str, str]]:
    with browser.client.get(f"/dashboards/overview.csv?survey={survey}") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.get_data()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_csv_holds_every_group_as_guarded(demo, guarded, browser):
    browser.login("hr@demo.test", "cxdemo")
    browser.use_language("en")
    rows = {row["Department"]: row for row in _csv(browser, demo)}
    assert set(rows) == {"Company", *(group.key for group in guarded.departments())}
    for group in [guarded.company, *guarded.departments()]:
        row = rows[group.key or "Company"]
        if group.is_suppressed:
            answers = ["Responses", "Customer Orientation Index", "Invited", "Responded"]
            assert all(row[column] == "" for column in answers)
            assert row["Note"] == HIDDEN
        else:
            assert int(row["Responses"]) == group.n
            assert float(row["Customer Orientation Index"]) == round(group.index, 1)
            assert row["Note"] == ""
    hidden = [row for row in rows.values() if row["Note"]]
    assert hidden  # the demo has hidden groups: the test above exercised them
    for row in hidden:
        numbers = [value for key, value in row.items() if key not in {"Department", "Note"}]
        # Only the level and the training counts (not survey answers) remain.
        assert len([value for value in numbers if value != ""]) == 3


def test_the_xlsx_matches_the_csv(demo, browser):
    browser.login("hr@demo.test", "cxdemo")
    browser.use_language("en")
    expected = _csv(browser, demo)
    response = browser.client.get(f"/dashboards/overview.xlsx?survey={demo}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header == list(expected[0].keys())
    for cells, row in zip(rows[1:], expected, strict=True):
        as_text = ["" if cell is None else str(cell) for cell in cells]
        assert as_text[0] == row["Department"]
        index = header.index("Customer Orientation Index")
        if row["Customer Orientation Index"]:
            assert float(as_text[index]) == float(row["Customer Orientation Index"])
        else:
            assert cells[index] is None


def test_exports_are_hrs_and_bad_filters_get_clear_answers(demo, browser):
    browser.login("head.operations@demo.test", "cxdemo")
    assert browser.client.get(f"/dashboards/overview.csv?survey={demo}").status_code == 403
    assert browser.client.get(f"/dashboards/overview.xlsx?survey={demo}").status_code == 403
    browser.logout()
    browser.login("hr@demo.test", "cxdemo")
    assert browser.client.get("/dashboards/overview.csv?survey=999999").status_code == 404
    assert browser.client.get("/dashboards/overview.csv?survey=1;drop").status_code == 400
    assert browser.client.get("/dashboards/overview.pdf").status_code == 404


def test_a_heads_pdf_matches_the_results_page(demo, guarded, browser):
    browser.login("head.contact@demo.test", "cxdemo")
    browser.use_language("en")
    group = guarded.groups["Operations/Contact Center"]
    query = f"survey={demo}&department=Operations/Contact Center"
    page = browser.client.get(f"/dashboards/results?{query}").get_data(as_text=True)
    text = _pdf_text(browser.client.get(f"/dashboards/results/report.pdf?{query}"))
    sentence = f"Customer Orientation Index: {round(group.index)}"
    assert sentence in page
    assert sentence in " ".join(text.split())
    assert f"from {group.n} responses" in " ".join(text.split())
    for dimension in DIMENSIONS:  # each score of the table, as on the page
        assert str(round(group.dimensions[dimension])) in text
    assert "Where to act" in text
    assert "Item by item" in text


def test_a_hidden_group_has_no_pdf(demo, hidden_key, browser):
    browser.login("hr@demo.test", "cxdemo")
    response = browser.client.get(
        f"/dashboards/results/report.pdf?survey={demo}&department={hidden_key}"
    )
    assert response.status_code == 404


def test_the_pdf_follows_the_readers_language(demo, browser):
    browser.login("head.contact@demo.test", "cxdemo")
    browser.use_language("pt_BR")
    text = _pdf_text(
        browser.client.get(
            f"/dashboards/results/report.pdf?survey={demo}&department=Operations/Contact Center"
        )
    )
    assert "Onde agir" in text
    assert "Where to act" not in text


def test_a_head_gets_no_pdf_of_another_department(demo, browser):
    browser.login("head.contact@demo.test", "cxdemo")
    assert (
        browser.client.get(
            f"/dashboards/results/report.pdf?survey={demo}&department=Finance"
        ).status_code
        == 403
    )
    assert browser.client.get("/dashboards/results/report.pdf?survey=999999").status_code == 404
    assert browser.client.get("/dashboards/results/report.pdf?survey=x").status_code == 400


def test_spreadsheet_cells_never_start_a_formula():
    assert safe_text("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert safe_text("Sales") == "Sales"
    body = csv_bytes(["name", "score"], [["+cmd", -1.5], ["Sales", None]])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1] == ["'+cmd", "-1.5"]  # numbers stay numbers, even negative ones
    assert rows[2] == ["Sales", ""]
    title = safe_sheet_title("Wave 1/2: [pilot]?" * 3)
    assert title.startswith("Wave 1 2   pilot")
    assert len(title) == 31
    assert not set(title) & set("[]:*?/\\")
    assert safe_sheet_title("''") == "Sheet"
