"""Department tables and company counts: computed in SQL, active people only."""

from __future__ import annotations

from cxculture.services.org import company_summary, department_rows
from tests.factories import make_department, make_user


def test_department_rows_count_active_people_with_and_without_sub_departments(ctx):
    make_user(department="Operations", heads=("Operations",), name="Olga Ops")
    for _ in range(3):
        make_user(department="Operations/Contact Center")
    make_user(department="Operations/Contact Center", is_active=False)
    make_user(department="Operations/Logistics")
    make_user(department="Finance")

    rows = {row.path: row for row in department_rows()}
    assert list(rows) == sorted(rows)  # tree order
    assert rows["Operations"].members == 1
    assert rows["Operations"].members_with_subdepartments == 5
    assert rows["Operations/Contact Center"].members == 3
    assert rows["Operations/Contact Center"].depth == 1
    assert rows["Operations"].heads == ("Olga Ops",)
    assert rows["Finance"].members_with_subdepartments == 1


def test_department_rows_for_a_head_stop_at_their_subtree(ctx):
    head = make_user(department="Operations", heads=("Operations",))
    make_department("Operations/Contact Center")
    make_department("Operations Research")  # same prefix, another tree
    make_department("Finance")
    paths = [row.path for row in department_rows(head.headed_departments)]
    assert paths == ["Operations", "Operations/Contact Center"]


def test_department_rows_of_nobody_are_empty(ctx):
    make_department("Finance")
    assert department_rows([]) == []


def test_company_summary_counts_what_hr_needs(ctx):
    make_user(is_hr_admin=True, department="People")
    make_user(heads=("IT",), department="IT")
    make_user(department=None)
    make_user(is_active=False, department="Finance")
    summary = company_summary()
    assert summary.active_people == 3
    assert summary.inactive_people == 1
    assert summary.hr_admins == 1
    assert summary.department_heads == 1
    assert summary.people_without_department == 1
    assert summary.departments == 3  # People, IT, Finance
