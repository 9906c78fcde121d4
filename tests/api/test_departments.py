"""The department tree: every department with its parent, heads and people, a page at a time."""

from __future__ import annotations

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import Department, utcnow
from tests.factories import make_department, make_user


def test_the_tree_lists_parents_heads_and_people(app, api):
    with app.app_context():
        make_user(email="boss@example.test", department="Operations", heads=("Operations",))
        make_user(department="Operations/Contact Center")
        make_department("Legacy").archived_at = utcnow()
        db.session.commit()
        ids = dict(db.session.execute(select(Department.path, Department.id)).all())
    body = api.get("/api/v1/departments").get_json()
    by_path = {department["path"]: department for department in body["data"]}
    center = by_path["Operations/Contact Center"]
    assert center["parent_id"] == ids["Operations"]
    assert center["depth"] == 1
    assert center["active_people"] == 1
    assert by_path["Operations"]["heads"] == ["boss@example.test"]
    assert by_path["Operations"]["parent_id"] is None
    assert by_path["Legacy"]["archived"] is True
    assert body["next_cursor"] is None


def test_the_tree_comes_a_page_at_a_time(app, api):
    with app.app_context():
        for name in ("A", "B", "C", "D"):
            make_department(f"Top/{name}")
    first = api.get("/api/v1/departments?limit=3").get_json()
    second = api.get(f"/api/v1/departments?limit=3&cursor={first['next_cursor']}").get_json()
    paths = [d["path"] for d in first["data"] + second["data"]]
    assert len(first["data"]) == 3
    assert second["next_cursor"] is None
    assert len(paths) == len(set(paths)) == 6  # People (the HR admin's), Top and four below
