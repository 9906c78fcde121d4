"""The organisation in the schema: the tree, unique people, roles, and constraints that hold."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from cxculture.extensions import db
from cxculture.models import Department, Role, User
from cxculture.services.org import InvalidDepartmentPath, ensure_department
from cxculture.services.org.reach import can_view_department, covers_department
from tests.factories import make_department, make_user


def test_ensure_department_builds_the_missing_ancestors(ctx):
    team = ensure_department("Operations / Contact Center / Night shift")
    db.session.commit()
    assert team.path == "Operations/Contact Center/Night shift"
    assert team.parent.path == "Operations/Contact Center"
    assert team.parent.parent.path == "Operations"
    assert team.parent.parent.parent is None
    assert team.depth == 2


def test_ensure_department_is_idempotent(ctx):
    first = make_department("Finance/Payables")
    second = make_department("Finance/Payables")
    assert first.id == second.id
    assert db.session.execute(select(Department)).scalars().all().__len__() == 2


@pytest.mark.parametrize("path", ["", "  ", "Operations//Sales", "/Sales", "Sales/"])
def test_a_path_with_an_empty_level_is_refused(ctx, path):
    with pytest.raises(InvalidDepartmentPath):
        ensure_department(path)


def test_department_paths_are_unique(ctx):
    make_department("IT")
    db.session.add(Department(name="IT", path="IT"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_department_name_cannot_hold_the_separator(ctx):
    db.session.add(Department(name="Sales/EMEA", path="Sales-EMEA"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_a_department_with_sub_departments_cannot_be_deleted(ctx):
    parent_id = make_department("Commercial/Sales").parent_id
    with pytest.raises(IntegrityError):
        db.session.execute(delete(Department).where(Department.id == parent_id))


def test_deleting_a_department_leaves_its_people_without_one(ctx):
    person = make_user(department="Temporary")
    db.session.execute(delete(Department).where(Department.path == "Temporary"))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, person.id).department is None


def test_emails_and_employee_numbers_are_unique(ctx):
    make_user(email="same@example.test", employee_number="E1")
    with pytest.raises(IntegrityError):
        make_user(email="same@example.test")
    db.session.rollback()
    with pytest.raises(IntegrityError):
        make_user(email="other@example.test", employee_number="E1")


def test_emails_are_stored_in_lower_case_only(ctx):
    db.session.add(User(email="Mixed@Example.test", name="Mixed"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_locale_must_be_one_the_product_ships(ctx):
    db.session.add(User(email="fr@example.test", name="Français", locale="fr"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_everyone_is_an_employee_and_roles_add_up(ctx):
    plain = make_user()
    hr = make_user(is_hr_admin=True)
    head = make_user(heads=("IT",))
    both = make_user(is_hr_admin=True, heads=("Finance", "IT"))
    assert plain.roles == {Role.EMPLOYEE}
    assert hr.roles == {Role.EMPLOYEE, Role.HR_ADMIN}
    assert head.roles == {Role.EMPLOYEE, Role.DEPT_HEAD}
    assert both.roles == {Role.EMPLOYEE, Role.HR_ADMIN, Role.DEPT_HEAD}
    assert [d.path for d in both.headed_departments] == ["Finance", "IT"]


def test_heading_a_department_covers_its_sub_departments_only(ctx):
    head = make_user(heads=("Sales",))
    below = make_department("Sales/Key Accounts/Retail")
    sibling = make_department("Sales Support")  # shares the prefix, not the tree
    other = make_department("Finance")
    assert covers_department(head, make_department("Sales"))
    assert covers_department(head, below)
    assert not covers_department(head, sibling)
    assert not covers_department(head, other)


def test_hr_can_view_every_department_and_an_employee_none(ctx):
    hr = make_user(is_hr_admin=True)
    employee = make_user(department="Finance")
    finance = make_department("Finance")
    assert can_view_department(hr, finance)
    assert not can_view_department(employee, finance)


def test_session_identity_changes_with_the_session_version(ctx):
    person = make_user()
    before = person.get_id()
    person.session_version += 1
    assert person.get_id() != before
    assert before.startswith(f"{person.id}.")
