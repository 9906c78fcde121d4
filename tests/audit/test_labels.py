"""Every action the code can record, every kind of target and every detail it notes has a label
in the reader's language; values read as words, names, days and numbers, never as codes."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale

from cxculture.extensions import db
from cxculture.services.audit import EventRow, InstrumentRef, ModuleRef, PersonRef
from cxculture.services.audit.labels import (
    AUDIT_DETAIL_LABELS,
    AUDIT_HIDDEN_DETAILS,
    AUDIT_LABELS,
    AUDIT_TARGET_LABELS,
)
from cxculture.templating import DIMENSION_LABELS, audit_details, audit_target
from tests.conftest import build_app

PACKAGE = Path(__file__).resolve().parents[2] / "cxculture"
RECORDERS = {"record": (1, "action"), "record_download": (1, "action")}  # the trail's own
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Details spread from a local dict the walk cannot follow: where their keys come from (a
# function whose returned dict literal names them). A new spread fails the test until added.
SPREAD_SOURCES = {
    ("update_person", "changed"): "_snapshot",
    ("update_person", "roles"): "_snapshot",
    ("edit_action", "changed"): "_action_schedule",
}


@dataclass
class Recorded:
    """What the code can record: actions, target types, and detail keys by action."""

    actions: set[str] = field(default_factory=set)
    targets: set[str] = field(default_factory=set)
    details: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    unresolved: set[str] = field(default_factory=set)


@dataclass
class Recorder:
    """A function that records: where its action comes in, what details it notes itself for
    every action handed to it, and whether it passes its callers' keywords on as details."""

    position: int
    keyword: str
    parameters: frozenset[str] = frozenset()
    details: set[str] = field(default_factory=set)
    is_forwarding: bool = False


def _functions() -> list[ast.FunctionDef]:
    return [
        node
        for path in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef)
    ]


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def _strings(expr: ast.expr | None, function: ast.FunctionDef) -> set[str] | None:
    """The string constants ``expr`` can be in ``function``; None when it is a parameter."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}
    if isinstance(expr, ast.IfExp):
        return (_strings(expr.body, function) or set()) | (_strings(expr.orelse, function) or set())
    if isinstance(expr, ast.Name):
        assigned = [
            node.value
            for node in ast.walk(function)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets)
        ]
        if not assigned:
            return None
        return set().union(*(_strings(value, function) or set() for value in assigned))
    return set()


def _parameters(function: ast.FunctionDef) -> list[str]:
    arguments = function.args
    return [a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]


def _returned_keys(functions: list[ast.FunctionDef], name: str) -> set[str]:
    """The keys of the dict literals that functions called ``name`` return."""
    keys: set[str] = set()
    for function in (f for f in functions if f.name == name):
        for node in ast.walk(function):
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Dict):
                keys.update(k.value for k in node.value.keys if isinstance(k, ast.Constant))
    return keys


def _calls(function: ast.FunctionDef, recorders: dict[str, Recorder]):
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and _callee(node) in recorders:
            yield node, recorders[_callee(node)]


def _detail_keys(call, recorder, function, functions, found) -> tuple[set[str], bool]:
    """The detail keys a call notes, and whether it hands on its function's own **kwargs."""
    keys: set[str] = set()
    hands_on = False
    for item in call.keywords:
        if item.arg is not None:
            if recorder.is_forwarding and item.arg not in recorder.parameters:
                keys.add(item.arg)
            continue
        spread = item.value
        spread_text = ast.unparse(spread)
        if function.args.kwarg is not None and spread_text == function.args.kwarg.arg:
            hands_on = True
        elif isinstance(spread, ast.Call) and _returned_keys(functions, _callee(spread) or ""):
            keys |= _returned_keys(functions, _callee(spread) or "")
        elif (function.name, spread_text) in SPREAD_SOURCES:
            keys |= _returned_keys(functions, SPREAD_SOURCES[(function.name, spread_text)])
        else:
            found.unresolved.add(f"{function.name}: **{spread_text}")
    return keys, hands_on


def _walk() -> Recorded:
    """Follow every call of the trail's recorders, and of the functions that hand an action
    on to them, through the whole package, until nothing new turns up."""
    functions = _functions()
    recorders = {
        name: Recorder(position, keyword, is_forwarding=True)
        for name, (position, keyword) in RECORDERS.items()
    }
    found = Recorded()
    for _round in range(10):
        before = (len(recorders), sum(len(r.details) for r in recorders.values()))
        found = Recorded()
        for function in functions:
            if function.name in RECORDERS:
                continue
            for call, recorder in _calls(function, recorders):
                argument = _argument(call, recorder.position, recorder.keyword)
                actions = _strings(argument, function)
                keys, hands_on = _detail_keys(call, recorder, function, functions, found)
                keys |= recorder.details
                if recorder is recorders.get("record") or recorder is recorders.get(
                    "record_download"
                ):
                    target = _argument(call, recorder.position + 1, "target_type")
                    if isinstance(target, ast.Constant):
                        found.targets.add(target.value)
                if actions is None:  # the action is this function's parameter: it records too
                    assert isinstance(argument, ast.Name)
                    parameters = _parameters(function)
                    own = recorders.setdefault(
                        function.name,
                        Recorder(
                            parameters.index(argument.id),
                            argument.id,
                            frozenset(parameters),
                        ),
                    )
                    own.details |= keys
                    own.is_forwarding |= hands_on
                    continue
                for action in actions:
                    found.actions.add(action)
                    found.details[action] |= keys
        if before == (len(recorders), sum(len(r.details) for r in recorders.values())):
            return found
    raise AssertionError("the walk did not settle")


RECORDED = _walk()


def test_the_walk_finds_what_the_code_records():
    """A check of the check: actions recorded directly, through a wrapper and by a variable."""
    assert {
        "survey.launched",
        "instrument.item_added",
        "org.department_renamed",
    } <= RECORDED.actions
    assert {"training.module_archived", "api.person_saved", "audit.exported"} <= RECORDED.actions
    assert {"module", "due_on", "enrolled"} <= RECORDED.details["training.assigned"]
    assert {"item", "dimension", "position"} <= RECORDED.details["instrument.item_moved"]
    assert {"created", "departments_created"} <= RECORDED.details["roster.applied"]
    assert {"token", "changes", "hr_admin_granted"} <= RECORDED.details["api.person_saved"]
    assert {"department", "manager"} <= RECORDED.details["org.person_updated"]
    assert {"since", "actor_search"} <= RECORDED.details["audit.exported"]
    assert RECORDED.unresolved == set()


def test_every_recorded_action_has_a_label_and_every_label_an_action():
    assert RECORDED.actions - set(AUDIT_LABELS) == set()
    assert set(AUDIT_LABELS) - RECORDED.actions == set()


def test_every_kind_of_target_has_a_label():
    assert RECORDED.targets - set(AUDIT_TARGET_LABELS) == set()


def test_every_recorded_detail_has_a_label():
    missing = {
        f"{action}: {key}"
        for action, keys in RECORDED.details.items()
        if not action.startswith("<")
        for key in keys - set(AUDIT_DETAIL_LABELS) - AUDIT_HIDDEN_DETAILS
    }
    assert missing == set()


def _row(action: str, target_type: str = "survey", /, **details) -> EventRow:
    return EventRow(
        id=1,
        created_at=datetime(2026, 3, 10, 12, 0, tzinfo=UTC),
        action=action,
        target_type=target_type,
        target_id=7,
        target_name=None,
        actor=None,
        details=details,
    )


def _shown(row: EventRow, locale: str) -> dict[str, str]:
    with force_locale(locale):
        return dict(audit_details(row))


def test_values_read_in_the_readers_language(ctx):
    module = ModuleRef("who-is-my-customer", {"en": "Who is my customer?", "es": "¿Quién es?"})
    row = _row("training.rule_created", rule=3, dimension="listen", threshold=62.5, module=module)
    with force_locale("es"):
        expected = {
            str(AUDIT_DETAIL_LABELS["rule"]): "#3",
            str(AUDIT_DETAIL_LABELS["dimension"]): str(DIMENSION_LABELS["listen"]),
            str(AUDIT_DETAIL_LABELS["threshold"]): "62,5",
            str(AUDIT_DETAIL_LABELS["module"]): "¿Quién es?",
        }
    assert _shown(row, "es") == expected
    # A language the module is not written in: its English title, never its slug.
    assert "Who is my customer?" in _shown(row, "pt_BR").values()
    gone = _row("training.assigned", module=ModuleRef("deleted-module"))
    assert _shown(gone, "en")["Module"] == "deleted-module"


def test_days_and_moments_in_details_are_written_as_the_locale_does(ctx):
    row = _row(
        "survey.extended",
        previous="2026-03-01T15:00:00+00:00",
        closes_at="2026-03-08T15:00:00+00:00",
    )
    shown = _shown(row, "pt_BR")
    assert not any(ISO_DAY.search(text) for text in shown.values())
    assert "8 de mar. de 2026" in " ".join(shown.values())
    assignment = _row("training.assigned", "department", due_on="2026-04-30", enrolled=1200)
    shown = _shown(assignment, "es")
    assert "30 abr 2026" in shown.values()
    assert "1200" not in shown.values()  # a count as the locale groups it
    assert not any(ISO_DAY.search(text) for text in shown.values())


def test_codes_in_details_read_as_their_labels(ctx):
    row = _row(
        "audit.exported",
        "audit",
        rows=2,
        action="survey.launched",
        target_type="survey",
        since="2026-03-01T03:00:00+00:00",
        until=None,
        actor_search=True,
    )
    shown = _shown(row, "en")
    assert shown["Action"] == "Survey launched"
    assert shown["On"] == "Survey"
    assert shown["Searched for a person"] == "yes"
    edited = _row("training.module_edited", "module", locale="pt_BR")
    assert _shown(edited, "en") == {"Language": "Português (Brasil)"}
    saved = _row("api.person_saved", "user", changes=["created"], token="cx_ab12")
    assert _shown(saved, "en")["Changes"] == "new person"
    exported = _row("results.overview_exported", format="xlsx")
    assert _shown(exported, "en") == {"Format": "Excel (XLSX)"}


def test_people_and_questionnaires_are_named(ctx):
    row = _row(
        "org.person_updated",
        "user",
        manager=[PersonRef(2, "Ana"), PersonRef(3)],
        department=["Sales", "Operations"],
    )
    assert _shown(row, "en") == {
        "Manager": "Ana → Erased person #3",
        "Department": "Sales → Operations",
    }
    copied = _row(
        "instrument.copied", "instrument", source_id=InstrumentRef(4, "coi", 2, {"es": "Índice"})
    )
    [name] = _shown(copied, "es").values()
    assert name.startswith("Índice")


def test_a_module_or_questionnaire_target_is_named_in_the_readers_language(ctx):
    module = ModuleRef("right-first-time", {"en": "Right first time", "pt_BR": "Certo de primeira"})
    row = EventRow(
        1, datetime.now(UTC), "training.module_edited", "module", 5, module.slug, None, {}, module
    )
    with force_locale("pt_BR"):
        assert audit_target(row) == "Certo de primeira"
    gone = _row("survey.closed")
    with force_locale("en"):
        assert audit_target(gone) == "Survey #7"


@pytest.mark.parametrize("value", ["not a day", "2026-02-30"])
def test_a_malformed_day_is_shown_as_written(ctx, value):
    assert _shown(_row("training.assigned", due_on=value), "en")["Due on"] == value


def test_a_day_is_never_shifted_by_the_time_zone(app, database_url, tmp_path):
    """A due day is a day wherever the reader is; a moment is shown in the company's zone."""
    zoned = build_app(database_url, tmp_path / "zoned", CX_TIMEZONE="America/Sao_Paulo")
    row = _row("survey.extended", previous="2026-03-01T02:00:00+00:00")
    with zoned.app_context():
        assert _shown(_row("training.assigned", due_on="2026-04-30"), "en") == {
            "Due on": "Apr 30, 2026"
        }
        assert _shown(row, "en") == {"Before": "Feb 28, 2026, 11:00\u202fPM"}  # CLDR's narrow space
        db.engine.dispose()
