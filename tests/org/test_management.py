"""HR manages the organisation: departments (rename, move, heads, merge, archive) and people
(department, roles, manager, active, set-password link), without moving any past result."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.disclosure import measures
from cxculture.extensions import db
from cxculture.models import (
    AuditEvent,
    Department,
    Invitation,
    OutboxMessage,
    Response,
    User,
    utcnow,
)
from cxculture.services import org, surveys
from cxculture.services.org import people
from cxculture.services.org.people import PeopleFilter, PersonChanges
from cxculture.services.surveys import responses
from tests.conftest import Browser, make_person
from tests.factories import (
    closed_release,
    full_answers,
    make_department,
    make_survey,
    make_user,
)


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


# People -----------------------------------------------------------------------------------


def _changes(person: User, **overrides) -> PersonChanges:
    values = {
        "department_id": person.department_id,
        "is_hr_admin": person.is_hr_admin,
        "is_active": person.is_active,
        "headed_department_ids": [d.id for d in person.headed_departments],
        "manager_email": person.manager.email if person.manager else None,
    }
    return PersonChanges(**{**values, **overrides})


def test_updating_a_person_changes_department_roles_and_manager(actor):
    person = make_user(department="Sales")
    boss = make_user(department="Sales", email="boss@example.test")
    finance = make_department("Finance")
    people.update_person(
        person,
        _changes(
            person,
            department_id=finance.id,
            is_hr_admin=True,
            headed_department_ids=[finance.id],
            manager_email="BOSS@example.test ",
        ),
        actor,
        utcnow(),
    )
    db.session.expire_all()
    assert person.department.path == "Finance"
    assert person.is_hr_admin
    assert [d.path for d in person.headed_departments] == ["Finance"]
    assert person.manager_id == boss.id
    details = _actions("org.person_updated")[0].details
    assert details["department"] == ["Sales", "Finance"]
    assert details["manager"] == [None, boss.id]


def test_a_person_cannot_manage_themselves(actor):
    person = make_user(email="self@example.test")
    with pytest.raises(people.ManagerLoop):
        people.update_person(
            person, _changes(person, manager_email="self@example.test"), actor, utcnow()
        )


def test_a_manager_loop_is_refused_however_long(actor):
    a = make_user(email="a@example.test")
    b = make_user(email="b@example.test")
    c = make_user(email="c@example.test")
    people.update_person(b, _changes(b, manager_email=a.email), actor, utcnow())
    people.update_person(c, _changes(c, manager_email=b.email), actor, utcnow())
    for manager in (b, c):  # A manages B manages A; A manages B manages C manages A
        with pytest.raises(people.ManagerLoop):
            people.update_person(a, _changes(a, manager_email=manager.email), actor, utcnow())
    db.session.expire_all()
    assert a.manager_id is None


def test_an_unknown_or_deactivated_manager_is_refused(actor):
    person = make_user()
    gone = make_user(is_active=False)
    with pytest.raises(people.UnknownManager):
        people.update_person(
            person, _changes(person, manager_email="nobody@example.test"), actor, utcnow()
        )
    with pytest.raises(people.InactiveManager):
        people.update_person(person, _changes(person, manager_email=gone.email), actor, utcnow())


def test_hr_cannot_deactivate_themselves_or_drop_their_own_role(actor):
    with pytest.raises(people.SelfDeactivation):
        people.update_person(actor, _changes(actor, is_active=False), actor, utcnow())
    with pytest.raises(people.SelfDemotion):
        people.update_person(actor, _changes(actor, is_hr_admin=False), actor, utcnow())
    db.session.expire_all()
    assert actor.is_active
    assert actor.is_hr_admin


def test_nobody_new_goes_into_an_archived_department(actor):
    person = make_user(department="Sales")
    old = make_department("Old")
    org.archive_department(old, actor, utcnow())
    with pytest.raises(people.ArchivedDepartment):
        people.update_person(person, _changes(person, department_id=old.id), actor, utcnow())


def test_a_deactivated_person_cannot_keep_heading(actor):
    head = make_user(heads=("Sales",))
    with pytest.raises(people.InactiveCannotHead):
        people.update_person(head, _changes(head, is_active=False), actor, utcnow())


def test_deactivating_and_reactivating_a_person(actor):
    person = make_user(department="Sales")
    survey = make_survey(actor=actor)
    version = person.session_version
    people.update_person(person, _changes(person, is_active=False), actor, utcnow())
    db.session.expire_all()
    assert not person.is_active
    assert person.deactivated_at is not None
    assert person.session_version == version + 1
    assert _invitation(survey.id, person.id).withdrawn_at is not None
    people.update_person(person, _changes(person, is_active=True), actor, utcnow())
    db.session.expire_all()
    assert person.is_active
    assert person.deactivated_at is None
    assert [e.action for e in _actions("org.person_deactivated")] == ["org.person_deactivated"]
    assert len(_actions("org.person_reactivated")) == 1


def test_resending_the_link_to_a_deactivated_person_is_refused(actor):
    gone = make_user(is_active=False)
    with pytest.raises(people.PersonInactive):
        people.resend_set_password_link(gone, actor)
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar_one() == 0


def test_people_are_searched_by_name_email_or_number_in_any_case(ctx):
    make_user(name="Ana Souza", email="ana@example.test", employee_number="X-100")
    make_user(name="Bruno Lima", email="bruno@corp.test", employee_number="X-200")
    make_user(name="Carla Ana", email="carla@example.test", is_active=False)

    def names(text, status=PeopleFilter.ACTIVE):
        return [row.name for row in people.search_people(text, status).rows]

    assert names("ANA") == ["Ana Souza"]
    assert names("ana", PeopleFilter.ALL) == ["Ana Souza", "Carla Ana"]
    assert names("ana", PeopleFilter.INACTIVE) == ["Carla Ana"]
    assert names("CORP.test") == ["Bruno Lima"]
    assert names("x-2") == ["Bruno Lima"]
    assert names("%") == []  # wildcards are searched for, not obeyed


def test_people_come_fifty_to_a_page(ctx):
    for number in range(51):
        make_user(name=f"Person {number:03d}")
    first = people.search_people("Person", page=1)
    second = people.search_people("Person", page=2)
    assert (len(first.rows), len(second.rows), first.total, first.pages) == (50, 1, 51, 2)
    assert second.rows[0].name == "Person 050"
    assert first.has_next
    assert not second.has_next
    assert people.search_people("Person", page=9).rows == []


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


# The pages --------------------------------------------------------------------------------


def _ids(app, *paths: str) -> list[int]:
    with app.app_context():
        return [make_department(path).id for path in paths]


GET_PAGES = [
    "/hr/org/people",
    "/hr/org/people/{user}",
    "/hr/org/departments",
    "/hr/org/departments/{department}",
]
POST_PAGES = [
    "/hr/org/people/{user}",
    "/hr/org/people/{user}/set-password-link",
    "/hr/org/people/{user}/erase",
    "/hr/org/departments/{department}/rename",
    "/hr/org/departments/{department}/move",
    "/hr/org/departments/{department}/heads",
    "/hr/org/departments/{department}/merge",
    "/hr/org/departments/{department}/archive",
    "/hr/org/departments/{department}/restore",
]


def test_the_lists_above_hold_every_page_of_the_blueprint(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {e for e in endpoints if e.startswith("people.")} == {
        "people.people_index",
        "people.person",
        "people.resend_link",
        "people.erase",
        "people.departments",
        "people.department",
        "people.rename_department",
        "people.move_department",
        "people.set_heads",
        "people.merge_department",
        "people.archive_department",
    }


@pytest.mark.parametrize("who", ["employee", "head"])
def test_nobody_but_hr_opens_or_posts_to_any_page(request, app, browser, who):
    person = request.getfixturevalue(who)
    (department,) = _ids(app, "Operations")
    browser.login(person.email)
    for page in GET_PAGES:
        url = page.format(user=person.id, department=department)
        assert browser.client.get(url).status_code == 403, url
    for page in POST_PAGES:
        url = page.format(user=person.id, department=department)
        # A valid CSRF token, so the refusal comes from the access policy.
        assert browser.post_form("/me", {"name": "x"}, action=url).status_code == 403, url


def test_unknown_ids_are_not_found(app, browser, hr_admin):
    browser.login(hr_admin.email)
    for page in (GET_PAGES[1], GET_PAGES[3]):
        url = page.format(user=999999, department=999999)
        assert browser.client.get(url).status_code == 404, url
    for page in POST_PAGES:
        url = page.format(user=999999, department=999999)
        assert browser.post_form("/hr/org/people", {}, action=url).status_code == 404, url


@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=0", "page=-1", "page=1.5", "page=²", "page=" + "9" * 12, "status=bogus"],
)
def test_a_malformed_list_address_is_a_bad_request(browser, hr_admin, query):
    browser.login(hr_admin.email)
    assert browser.client.get(f"/hr/org/people?{query}").status_code == 400


def test_the_people_list_shows_who_is_who(app, browser, hr_admin, head):
    make_person(app, name="Zoe Gone", email="zoe@example.test", is_active=False)
    browser.login(hr_admin.email)
    html = browser.client.get("/hr/org/people?q=HUGO").get_data(as_text=True)
    assert "Hugo Head" in html
    assert "head@example.test" in html
    assert "Operations" in html
    assert "hr@example.test" not in html
    assert "Zoe Gone" not in browser.client.get("/hr/org/people").get_data(as_text=True)
    everyone = browser.client.get("/hr/org/people?status=all").get_data(as_text=True)
    assert "Zoe Gone" in everyone
    assert "Deactivated" in everyone
    assert browser.client.get("/hr/org/people?page=7").status_code == 200  # past the end


def _person_form(app, user_id: int, **overrides) -> dict[str, object]:
    """The person form as the page fills it, with ``overrides``; None leaves a field out."""
    with app.app_context():
        person = db.session.get(User, user_id)
        data = {
            "department_id": str(person.department_id or 0),
            "headed_department_ids": [str(d.id) for d in person.headed_departments],
            "manager_email": person.manager.email if person.manager else "",
            "is_active": "y" if person.is_active else None,
            "is_hr_admin": "y" if person.is_hr_admin else None,
        }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_hr_moves_a_person_and_makes_them_a_head(app, browser, hr_admin, employee):
    finance, sales = _ids(app, "Finance", "Sales")
    browser.login(hr_admin.email)
    page = f"/hr/org/people/{employee.id}"
    response = browser.post_form(
        page,
        _person_form(
            app,
            employee.id,
            department_id=str(finance),
            headed_department_ids=[str(finance), str(sales)],
            manager_email=hr_admin.email,
        ),
    )
    assert response.status_code == 302
    assert "Saved." in browser.client.get(page).get_data(as_text=True)
    with app.app_context():
        person = db.session.get(User, employee.id)
        assert person.department.path == "Finance"
        assert [d.path for d in person.headed_departments] == ["Finance", "Sales"]
        assert person.manager_id == hr_admin.id


def test_the_person_form_needs_its_csrf_token(app, browser, hr_admin, employee):
    browser.login(hr_admin.email)
    response = browser.client.post(
        f"/hr/org/people/{employee.id}", data=_person_form(app, employee.id, is_active=None)
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, employee.id).is_active


def test_archived_departments_are_not_offered_for_a_person(app, browser, hr_admin, employee):
    (old,) = _ids(app, "Old")
    browser.login(hr_admin.email)
    browser.post_form(f"/hr/org/departments/{old}", {}, action=f"/hr/org/departments/{old}/archive")
    html = browser.client.get(f"/hr/org/people/{employee.id}").get_data(as_text=True)
    department_select = html.split('id="department_id"')[1].split("</select>")[0]
    assert f'value="{old}"' not in department_select
    response = browser.post_form(
        f"/hr/org/people/{employee.id}", _person_form(app, employee.id, department_id=str(old))
    )
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_deactivation_through_the_page_ends_the_login_and_withdraws_invitations(
    app, browser, hr_admin, employee
):
    with app.app_context():
        survey_id = make_survey().id
    theirs = Browser(app.test_client())
    theirs.login(employee.email)
    assert theirs.client.get("/me").status_code == 200
    browser.login(hr_admin.email)
    response = browser.post_form(
        f"/hr/org/people/{employee.id}", _person_form(app, employee.id, is_active=None)
    )
    assert response.status_code == 302
    assert theirs.client.get("/me").headers["Location"].startswith("/auth/login")
    assert theirs.login(employee.email).status_code == 200  # the form again: refused
    with app.app_context():
        assert _invitation(survey_id, employee.id).withdrawn_at is not None


def test_reactivation_through_the_page_lets_the_person_back_in(app, browser, hr_admin):
    gone = make_person(app, email="back@example.test", is_active=False)
    browser.login(hr_admin.email)
    response = browser.post_form(
        f"/hr/org/people/{gone.id}", _person_form(app, gone.id, is_active="y")
    )
    assert response.status_code == 302
    theirs = Browser(app.test_client())
    theirs.login(gone.email)
    assert theirs.client.get("/me").status_code == 200


def test_hr_cannot_lock_themselves_out_through_the_page(app, browser, hr_admin):
    browser.login(hr_admin.email)
    page = f"/hr/org/people/{hr_admin.id}"
    response = browser.post_form(page, _person_form(app, hr_admin.id, is_active=None))
    assert response.status_code == 422
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    response = browser.post_form(page, _person_form(app, hr_admin.id, is_hr_admin=None))
    assert response.status_code == 422
    assert "You cannot remove your own HR admin role" in response.get_data(as_text=True)
    with app.app_context():
        me = db.session.get(User, hr_admin.id)
        assert me.is_active
        assert me.is_hr_admin


def test_a_manager_loop_is_refused_on_the_page(app, browser, hr_admin, employee):
    browser.login(hr_admin.email)
    browser.post_form(
        f"/hr/org/people/{employee.id}",
        _person_form(app, employee.id, manager_email=hr_admin.email),
    )
    response = browser.post_form(
        f"/hr/org/people/{hr_admin.id}",
        _person_form(app, hr_admin.id, manager_email=employee.email),
    )
    assert response.status_code == 422
    assert "This would make a loop" in response.get_data(as_text=True)


def test_resending_queues_exactly_one_set_password_email(app, browser, hr_admin, employee):
    browser.login(hr_admin.email)
    page = f"/hr/org/people/{employee.id}"
    response = browser.post_form(page, {}, action=f"{page}/set-password-link")
    assert response.status_code == 302
    assert "A new set-password link is on its way" in browser.client.get(page).get_data(
        as_text=True
    )
    with app.app_context():
        messages = db.session.execute(select(OutboxMessage)).scalars().all()
        assert [(m.kind, m.to_email) for m in messages] == [("set_password", employee.email)]
        assert [e.target_id for e in _actions("org.set_password_link_sent")] == [employee.id]


def test_the_department_tree_links_to_each_department(app, browser, hr_admin):
    team, ops = _ids(app, "Operations/Contact Center", "Operations")
    browser.login(hr_admin.email)
    html = browser.client.get("/hr/org/departments").get_data(as_text=True)
    assert f'href="/hr/org/departments/{team}"' in html
    assert f'href="/hr/org/departments/{ops}"' in html
    assert 'href="/hr/org/departments"' in browser.client.get("/hr/").get_data(as_text=True)
    assert "Contact Center" in browser.client.get(f"/hr/org/departments/{ops}").get_data(
        as_text=True
    )


def test_renaming_on_the_page_and_its_refusal(app, browser, hr_admin):
    sales, _support = _ids(app, "Sales", "Support")
    browser.login(hr_admin.email)
    page = f"/hr/org/departments/{sales}"
    refused = browser.post_form(page, {"name": "Support"}, action=f"{page}/rename")
    assert refused.status_code == 422
    assert "There is already a department at “Support”." in refused.get_data(as_text=True)
    assert (
        browser.post_form(page, {"name": "Commercial"}, action=f"{page}/rename").status_code == 302
    )
    assert "Department renamed." in browser.client.get(page).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Department, sales).path == "Commercial"


def test_a_rename_that_makes_a_path_too_long_is_refused_on_the_page(app, browser, hr_admin):
    (deep,) = _ids(app, DEEP)
    with app.app_context():
        top = _department("Deep").id
    browser.login(hr_admin.email)
    page = f"/hr/org/departments/{top}"
    refused = browser.post_form(page, {"name": "D" * 120}, action=f"{page}/rename")
    assert refused.status_code == 422
    assert "would be longer than 1000 characters" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Department, deep).path == DEEP


def test_moving_on_the_page_offers_no_place_below_itself(app, browser, hr_admin):
    ops, team, finance = _ids(app, "Operations", "Operations/Team", "Finance")
    browser.login(hr_admin.email)
    page = f"/hr/org/departments/{ops}"
    refused = browser.post_form(page, {"parent_id": str(team)}, action=f"{page}/move")
    assert refused.status_code == 422
    response = browser.post_form(page, {"parent_id": str(finance)}, action=f"{page}/move")
    assert response.status_code == 302
    browser.post_form(page, {"parent_id": "0"}, action=f"{page}/move")
    with app.app_context():
        assert db.session.get(Department, team).path == "Operations/Team"
        assert len(_actions("org.department_moved")) == 2


def test_setting_heads_on_the_page(app, browser, hr_admin, employee):
    (sales,) = _ids(app, "Sales")
    browser.login(hr_admin.email)
    page = f"/hr/org/departments/{sales}"
    refused = browser.post_form(
        page, {"emails": f"{employee.email}\nnobody@example.test"}, action=f"{page}/heads"
    )
    assert refused.status_code == 422
    assert "nobody@example.test" in refused.get_data(as_text=True)
    response = browser.post_form(page, {"emails": employee.email.upper()}, action=f"{page}/heads")
    assert response.status_code == 302
    with app.app_context():
        assert [p.email for p in db.session.get(Department, sales).heads] == [employee.email]


def test_merging_on_the_page_and_its_refusal(app, browser, hr_admin, employee):
    region, _team, sales = _ids(app, "Region", "Region/Team", "Sales")
    browser.login(hr_admin.email)
    busy = _ids(app, "Operations/Contact Center")[0]  # the employee works there
    refused = browser.post_form(
        f"/hr/org/departments/{busy}",
        {"target_id": str(sales)},
        action=f"/hr/org/departments/{busy}/merge",
    )
    assert refused.status_code == 422
    assert "People are still in this department." in refused.get_data(as_text=True)
    page = f"/hr/org/departments/{region}"
    response = browser.post_form(page, {"target_id": str(sales)}, action=f"{page}/merge")
    assert response.headers["Location"] == f"/hr/org/departments/{sales}"
    with app.app_context():
        assert db.session.get(Department, region) is None
        assert "Sales/Team" in _paths()


def test_archiving_on_the_page_and_its_refusal(app, browser, hr_admin, employee):
    (busy,) = _ids(app, "Operations/Contact Center")
    browser.login(hr_admin.email)
    page = f"/hr/org/departments/{busy}"
    browser.post_form(page, {}, action=f"{page}/archive")
    assert "People are still in this department." in browser.client.get(page).get_data(as_text=True)
    (old,) = _ids(app, "Old")
    page = f"/hr/org/departments/{old}"
    browser.post_form(page, {}, action=f"{page}/archive")
    assert "Department archived." in browser.client.get(page).get_data(as_text=True)
    browser.post_form(page, {}, action=f"{page}/restore")
    with app.app_context():
        assert db.session.get(Department, old).archived_at is None


def test_department_forms_need_their_csrf_token(app, browser, hr_admin):
    (sales,) = _ids(app, "Sales")
    browser.login(hr_admin.email)
    page = f"/hr/org/departments/{sales}"
    assert browser.client.post(f"{page}/rename", data={"name": "X"}).status_code == 400
    assert browser.client.post(f"{page}/archive").status_code == 400
    with app.app_context():
        department = db.session.get(Department, sales)
        assert (department.path, department.archived_at) == ("Sales", None)
