"""HR changes the department tree (rename, move, heads, merge, archive) without moving any past
result."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cxculture.disclosure import measures
from cxculture.extensions import db
from cxculture.models import (
    AuditEvent,
    Department,
    Invitation,
    Response,
    User,
    utcnow,
)
from cxculture.services import org, surveys
from cxculture.services.org import people
from cxculture.services.surveys import responses
from tests.factories import (
    closed_release,
    full_answers,
    make_department,
    make_survey,
    make_user,
)
from tests.people.test_people import _changes


def _department(path: str) -> Department:
    return db.session.execute(select(Department).where(Department.path == path)).scalar_one()


def _paths() -> list[str]:
    # Sorted in Python: PostgreSQL's collation may order "OPS" and "Operations" otherwise.
    return sorted(db.session.execute(select(Department.path)).scalars())


def _invitation(survey_id: int, user_id: int) -> Invitation:
    return db.session.execute(
        select(Invitation).where(Invitation.survey_id == survey_id, Invitation.user_id == user_id)
    ).scalar_one()


def _actions(action: str) -> list[AuditEvent]:
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


@pytest.fixture
def actor(ctx) -> User:
    """An HR admin acting through the services."""
    return make_user(is_hr_admin=True, department="People", email="actor@example.test")


# Renaming ---------------------------------------------------------------------------------


def test_renaming_a_department_renames_its_whole_subtree_only(actor):
    make_department("Ops/Contact Center/Night")
    make_department("Opsx/Team")  # shares the prefix, not the tree
    make_department("OPS/Team")  # differs only in case (LIKE would match it on SQLite)
    org.rename_department(_department("Ops"), "Operations", actor)
    assert _paths() == sorted(
        [
            "OPS",
            "OPS/Team",
            "Operations",
            "Operations/Contact Center",
            "Operations/Contact Center/Night",
            "Opsx",
            "Opsx/Team",
            "People",
        ]
    )
    assert _department("Operations").name == "Operations"
    assert _department("Operations/Contact Center").parent.path == "Operations"
    event = _actions("org.department_renamed")[0]
    assert event.details["old_path"] == "Ops"
    assert event.details["new_path"] == "Operations"
    assert event.details["subdepartments"] == 2


def test_renaming_a_sub_department_keeps_it_under_its_parent(actor):
    make_department("Operations/Sales/Retail")
    org.rename_department(_department("Operations/Sales"), "  Commercial ", actor)
    assert "Operations/Commercial/Retail" in _paths()


@pytest.mark.parametrize("name", ["", "   ", "Sales/EMEA", "x" * 121])
def test_a_blank_or_slashed_name_is_refused(actor, name):
    make_department("Sales")
    with pytest.raises(org.InvalidDepartmentName):
        org.rename_department(_department("Sales"), name, actor)
    assert "Sales" in _paths()


def test_renaming_to_a_siblings_name_is_refused(actor):
    make_department("Operations/Sales")
    make_department("Operations/Support")
    with pytest.raises(org.DepartmentPathTaken) as refused:
        org.rename_department(_department("Operations/Sales"), "Support", actor)
    assert refused.value.path == "Operations/Support"
    assert _actions("org.department_renamed") == []


# Paths the column cannot hold -------------------------------------------------------------

DEEP = "/".join(["Deep", *["L" * 120] * 8, "Leaf" * 4])  # 989 characters; the column holds 1,000
WIDE = "Operations/Contact Center"


@pytest.mark.parametrize(
    "change",
    [
        lambda actor: org.rename_department(_department("Deep"), "D" * 30, actor),
        lambda actor: org.move_department(
            _department("Deep"), _department("Operations/Contact Center"), actor
        ),
        lambda actor: org.merge_department(
            _department("Deep"), _department("Operations/Contact Center"), actor
        ),
    ],
    ids=["rename", "move", "merge"],
)
def test_a_change_that_would_make_a_path_below_too_long_is_refused(actor, change):
    make_department(DEEP)
    make_department(WIDE)
    before = _paths()
    with pytest.raises(org.PathTooLong):
        change(actor)
    db.session.rollback()
    assert _paths() == before
    assert max(len(path) for path in _paths()) <= 1000


def test_a_path_the_column_holds_exactly_is_accepted(actor):
    make_department(DEEP)
    org.rename_department(_department("Deep"), "D" * (4 + 1000 - len(DEEP)), actor)
    assert max(len(path) for path in _paths()) == 1000


# Moving -----------------------------------------------------------------------------------


def test_moving_a_department_moves_its_subtree(actor):
    make_department("Operations/Sales/Retail/Stores")
    make_department("Commercial")
    org.move_department(_department("Operations/Sales"), _department("Commercial"), actor)
    assert _paths() == [
        "Commercial",
        "Commercial/Sales",
        "Commercial/Sales/Retail",
        "Commercial/Sales/Retail/Stores",
        "Operations",
        "People",
    ]
    assert _department("Commercial/Sales").parent.path == "Commercial"
    assert _actions("org.department_moved")[0].details["new_path"] == "Commercial/Sales"


def test_a_department_can_move_to_the_top_level(actor):
    make_department("Operations/Sales/Retail")
    org.move_department(_department("Operations/Sales"), None, actor)
    assert _department("Sales").parent is None
    assert "Sales/Retail" in _paths()


@pytest.mark.parametrize(
    "new_parent", ["Operations", "Operations/Sales", "Operations/Sales/Retail"]
)
def test_a_department_cannot_move_under_itself_or_below_itself(actor, new_parent):
    make_department("Operations/Sales/Retail")
    with pytest.raises(org.WouldBeOwnAncestor):
        org.move_department(_department("Operations"), _department(new_parent), actor)
    assert _department("Operations").parent is None


def test_moving_onto_an_existing_path_is_refused(actor):
    make_department("Operations/Sales")
    make_department("Commercial/Sales")
    with pytest.raises(org.DepartmentPathTaken):
        org.move_department(_department("Operations/Sales"), _department("Commercial"), actor)
    assert "Operations/Sales" in _paths()


def test_an_active_department_cannot_move_under_an_archived_one(actor):
    make_department("Operations/Sales")
    archived = make_department("Old")
    org.archive_department(archived, actor, utcnow())
    with pytest.raises(org.DepartmentArchived):
        org.move_department(_department("Operations/Sales"), _department("Old"), actor)


# Heads ------------------------------------------------------------------------------------


def test_setting_heads_replaces_the_current_ones(actor):
    old = make_user(heads=("Sales",), department="Sales")
    new = [make_user(department="Sales"), make_user(department="Sales")]
    org.set_department_heads(_department("Sales"), new, actor)
    db.session.expire_all()
    assert {p.id for p in _department("Sales").heads} == {p.id for p in new}
    assert old.headed_departments == []
    event = _actions("org.department_heads_set")[0]
    assert event.details["heads_before"] == [old.id]


def test_a_deactivated_person_cannot_head_a_department(actor):
    gone = make_user(department="Sales", is_active=False, email="gone@example.test")
    with pytest.raises(org.InactiveHead) as refused:
        org.set_department_heads(_department("Sales"), [gone], actor)
    assert refused.value.emails == ["gone@example.test"]
    assert _department("Sales").heads == []


# Merging ----------------------------------------------------------------------------------


def test_merging_moves_sub_departments_drops_heads_and_deletes(actor):
    make_department("Region/Team A/Night")
    make_department("Region/Team B")
    make_user(department="Region/Team A")
    make_user(department="Sales", heads=("Region",))
    target = _department("Sales")
    source_id = _department("Region").id
    org.merge_department(_department("Region"), target, actor)
    assert db.session.get(Department, source_id) is None
    assert _paths() == ["People", "Sales", "Sales/Team A", "Sales/Team A/Night", "Sales/Team B"]
    assert _department("Sales/Team A").parent.path == "Sales"
    event = _actions("org.department_merged")[0]
    assert (event.target_id, event.details["merged"]) == (target.id, "Region")
    assert event.details["moved_departments"] == 3


@pytest.mark.parametrize("target", ["Region", "Region/Team"])
def test_a_department_cannot_merge_into_itself_or_below_itself(actor, target):
    make_department("Region/Team")
    with pytest.raises(org.WouldBeOwnAncestor):
        org.merge_department(_department("Region"), _department(target), actor)
    assert "Region" in _paths()


@pytest.mark.parametrize("is_active", [True, False])
def test_a_department_with_people_cannot_be_merged(actor, is_active):
    make_user(department="Region", is_active=is_active)
    make_department("Sales")
    with pytest.raises(org.DepartmentHasPeople):
        org.merge_department(_department("Region"), _department("Sales"), actor)
    assert "Region" in _paths()


def test_merging_refuses_a_sub_department_whose_name_is_taken(actor):
    make_department("Region/Support")
    make_department("Region/Field")
    make_department("Sales/Support")
    with pytest.raises(org.DepartmentPathTaken) as refused:
        org.merge_department(_department("Region"), _department("Sales"), actor)
    assert refused.value.path == "Sales/Support"
    assert "Region/Field" in _paths()


def test_nothing_merges_into_an_archived_department(actor):
    make_department("Region")
    org.archive_department(make_department("Old"), actor, utcnow())
    with pytest.raises(org.DepartmentArchived):
        org.merge_department(_department("Region"), _department("Old"), actor)


def test_a_survey_aimed_at_a_merged_department_keeps_its_audience(actor):
    make_user(department="Region/Team")
    make_department("Sales")
    survey = make_survey(departments=("Region",), actor=actor)
    org.merge_department(_department("Region"), _department("Sales"), actor)
    db.session.expire_all()
    assert [d.path for d in survey.departments] == ["Sales/Team"]  # not the whole company


# Archiving --------------------------------------------------------------------------------


def test_an_empty_department_is_archived_and_restored(actor):
    make_user(department="Old", is_active=False)  # leavers stay where they were
    org.archive_department(_department("Old"), actor, utcnow())
    assert _department("Old").archived_at is not None
    assert [row.is_archived for row in org.department_rows() if row.path == "Old"] == [True]
    assert _actions("org.department_archived")
    org.restore_department(_department("Old"), actor)
    assert _department("Old").archived_at is None
    assert _actions("org.department_restored")


@pytest.mark.parametrize("where", ["Old", "Old/Team"])
def test_a_department_with_active_people_in_or_below_it_is_not_archived(actor, where):
    make_department("Old/Team")
    make_user(department=where)
    with pytest.raises(org.DepartmentHasPeople):
        org.archive_department(_department("Old"), actor, utcnow())
    assert _department("Old").archived_at is None


def test_a_department_with_open_sub_departments_is_not_archived(actor):
    make_department("Old/Team")
    with pytest.raises(org.DepartmentHasSubdepartments):
        org.archive_department(_department("Old"), actor, utcnow())
    org.archive_department(_department("Old/Team"), actor, utcnow())
    org.archive_department(_department("Old"), actor, utcnow())
    assert _department("Old").archived_at is not None


def test_a_sub_department_is_restored_only_after_its_parent(actor):
    make_department("Old/Team")
    org.archive_department(_department("Old/Team"), actor, utcnow())
    org.archive_department(_department("Old"), actor, utcnow())
    with pytest.raises(org.DepartmentArchived):
        org.restore_department(_department("Old/Team"), actor)
    org.restore_department(_department("Old"), actor)
    org.restore_department(_department("Old/Team"), actor)
    assert _department("Old/Team").archived_at is None


# Past results never move ------------------------------------------------------------------


@pytest.fixture
def answered(actor):
    """A wave answered by five people in each of Sales/North, Sales/South and Region/Team
    (Region has nobody of its own); one more in Sales/North and HR have not answered."""
    for path in ("Sales/North", "Sales/South", "Region/Team"):
        for _ in range(5):
            make_user(department=path)
    late = make_user(department="Sales/North")
    survey = make_survey(actor=actor)
    invitations = db.session.execute(
        select(Invitation).where(Invitation.survey_id == survey.id).order_by(Invitation.id)
    ).scalars()
    for number, invitation in enumerate(list(invitations)):
        if invitation.user_id not in (late.id, actor.id):
            answers = full_answers(survey, 2 + number % 4)
            responses.submit_response(invitation, answers, "en", utcnow())
    return survey


def _snapshot(survey):
    db.session.expire_all()
    stored = sorted(
        db.session.execute(
            select(Response.department_path).where(Response.survey_id == survey.id)
        ).scalars()
    )
    # What is released, and what a later release would be made of (per exact path).
    released = closed_release(survey).groups
    return (released, measures.measure(survey).sums), surveys.survey_progress(survey), stored


def test_results_are_unchanged_after_a_rename(actor, answered):
    before = _snapshot(answered)
    assert not before[0][0]["Sales/North"].is_suppressed
    north = before[1].rates.get("Sales/North")
    assert north.invited > north.answered
    org.rename_department(_department("Sales"), "Commercial", actor)
    assert _snapshot(answered) == before


def test_results_are_unchanged_after_a_move(actor, answered):
    before = _snapshot(answered)
    org.move_department(_department("Sales/North"), _department("Region"), actor)
    org.move_department(_department("Region"), None, actor)
    assert _snapshot(answered) == before


def test_results_are_unchanged_after_a_merge(actor, answered):
    before = _snapshot(answered)
    org.merge_department(_department("Region"), _department("Sales"), actor)
    assert _snapshot(answered) == before


def test_moving_a_person_changes_none_of_their_past_answers(actor, answered):
    before = _snapshot(answered)
    person = db.session.execute(
        select(User).join(Response, Response.user_id == User.id).limit(1)
    ).scalar_one()
    path = person.department.path
    finance = make_department("Finance")
    people.update_person(person, _changes(person, department_id=finance.id), actor, utcnow())
    assert _snapshot(answered) == before
    assert (
        db.session.execute(
            select(Response.department_path).where(Response.user_id == person.id)
        ).scalar_one()
        == path
    )
