"""HR manages people (department, roles, manager, active, set-password link), and the pages of
people and departments."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.models import (
    AuditEvent,
    Department,
    Invitation,
    OutboxMessage,
    User,
    utcnow,
)
from cxculture.services import org
from cxculture.services.org import people
from cxculture.services.org.people import PeopleFilter, PersonChanges
from tests.conftest import Browser, make_person
from tests.factories import (
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


# A tree as deep as the path column holds (as in tests.org.test_departments).
DEEP = "/".join(["Deep", *["L" * 120] * 8, "Leaf" * 4])  # 989 characters; the column holds 1,000


# The pages --------------------------------------------------------------------------------


def _ids(app, *paths: str) -> list[int]:
    with app.app_context():
        return [make_department(path).id for path in paths]


GET_PAGES = [
    "/hr/org/people",
    "/hr/org/people/{user}",
    "/hr/org/departments",
    "/hr/org/departments/{department}",
    "/hr/org/people/{user}/erase",  # the confirmation page of erasing
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
        "people.confirm_erase",
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
    for page in (GET_PAGES[1], GET_PAGES[3], GET_PAGES[4]):
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
    page = browser.client.get("/hr/org/people?q=HUGO").get_data(as_text=True)
    html = page.split('<main id="main"', 1)[1]  # the signed-in address is in the user menu
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
