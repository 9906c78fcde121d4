"""Hostile input never breaks the product: every form, query parameter, path and JSON endpoint,
fed what no person would type, answers below 500 and writes all of a change or nothing.

The endpoints come from the app's URL map. Every rule taking POST needs a recipe in RECIPES
(a body the endpoint accepts and the tables an accepted request may change; the fuzzer then
mangles the body field by field), every GET endpoint that reads query parameters needs them in
QUERY_PARAMETERS (found by requesting every page and watching what it reads), and JSON
endpoints (under /api, or views answering with ``jsonify``) are fuzzed with no recipe at all.
A new endpoint without its recipe fails here, named.
"""

from __future__ import annotations

import inspect
import io
import json
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from urllib.parse import quote, urlencode

import pytest
from flask import Flask, Request
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import AnyConverter, Rule
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import Length, Regexp

from cxculture.access import FILE_ENDPOINTS, policy_of
from cxculture.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, SetPasswordForm
from cxculture.catalogue.forms import ModuleForm, TextForm
from cxculture.dashboards.forms import AssignForm
from cxculture.extensions import db
from cxculture.home.forms import LanguageForm
from cxculture.hr.forms import (
    ActionForm,
    ApiTokenForm,
    ConfirmForm,
    DeleteFreeTextForm,
    ExtendForm,
    RuleForm,
    SurveyForm,
)
from cxculture.hr.reach_forms import CardsForm, SendLinkForm
from cxculture.instruments.forms import ItemForm
from cxculture.models import Invitation, PlanAction, Response, Role, Survey
from cxculture.people.forms import (
    EraseForm,
    HeadsForm,
    MergeForm,
    MoveForm,
    PersonForm,
    RenameForm,
)
from cxculture.plans.forms import ActionForm as PlanActionForm
from cxculture.plans.forms import DimensionsForm, EditActionForm, PlanForm, StatusForm, StepForm
from cxculture.roster.forms import ApplyForm, UploadForm
from cxculture.services import training
from cxculture.surveys.forms import CodeForm, answer_form
from cxculture.training.forms import CountForTeamForm, EnrolForm, ReflectionForm, quiz_form
from tests import factories
from tests.conftest import Browser, build_app, csrf_token
from tests.robustness import hostile
from tests.robustness.world import (
    DEEP_TOP,
    QUIZ_YAML,
    ROSTER_CSV,
    World,
    build_world,
    changed_tables,
    consistency_problems,
    snapshot,
    stored_text_problems,
)

# The app and its data are built once per test, inside it (no function-scoped fixture reaches
# the examples), so every example starts from what the ones before left: a rejected one must
# have left nothing.
FUZZ = settings(
    max_examples=15,  # per endpoint: the whole module runs in about two minutes on two cores
    deadline=None,  # requests take what they take; a slow one is not a failure here
)
REDIRECTS = (301, 302, 303)
ROLES = ("anonymous", "employee", "head", "hr_admin")
NEW_PASSWORD = "a brand new long passphrase"
SOONER, LATER = "2099-06-01T09:00", "2099-06-30T12:00"
LAUNCH_TABLES = {"surveys", "instruments", "invitations", "outbox_messages", "audit_events"}
# Reading results releases a snapshot when one is due (a survey that closed since, a live one).
# A release, and the key drivers of a released group kept on its first reading.
RELEASES = frozenset({"result_snapshots", "released_groups", "released_drivers"})


def _offline_app() -> Flask:
    """The app as the tests configure it, never connected to its database: for its URL map."""
    return build_app("sqlite://", tempfile.gettempdir())


OFFLINE = _offline_app()
RULES = {rule.endpoint: rule for rule in OFFLINE.url_map.iter_rules()}


def is_json_endpoint(endpoint: str) -> bool:
    """Under /api, in a blueprint called api, or a view answering with ``jsonify``."""
    rule = RULES[endpoint]
    source = inspect.getsource(OFFLINE.view_functions[endpoint])
    return rule.rule.startswith("/api/") or endpoint.startswith("api.") or "jsonify(" in source


JSON_ENDPOINTS = sorted(e for e in RULES if e not in FILE_ENDPOINTS and is_json_endpoint(e))
FORM_ENDPOINTS = sorted(
    e for e, rule in RULES.items() if "POST" in rule.methods and e not in JSON_ENDPOINTS
)


def default_who(endpoint: str) -> str:
    """The person an endpoint's access policy admits (HR when HR is among them)."""
    policy = policy_of(OFFLINE, endpoint)
    if policy is None or policy.allows_anonymous:
        return "anonymous"
    if Role.HR_ADMIN in policy.roles:
        return "hr_admin"
    if Role.DEPT_HEAD in policy.roles:
        return "head"
    return "employee"


# Paths

PATH_VALUES: dict[str, Callable[[World], list[object]]] = {
    "survey_id": lambda w: [w.open_survey_id, w.draft_survey_id, w.closed_survey_id],
    "user_id": lambda w: [w.colleague_id],
    "department_id": lambda w: [w.deep_top_id, w.finance_id, w.contact_center_id],
    "import_id": lambda w: [w.roster_import_id],
    "instrument_id": lambda w: [w.editable_instrument_id],
    "item_id": lambda w: [w.editable_item_id],
    "slug": lambda w: [w.module_slug],
    "token": lambda w: [w.set_password_token],
    "token_id": lambda w: [w.api_token_id],
    "employee_number": lambda w: ["E00001", "nobody"],
    "plan_id": lambda w: [w.plan_id],
    "action_id": lambda w: [w.plan_action_id],
}
# What a path argument may be replaced with by a client that types URLs (percent-encoded).
HOSTILE_PATH_VALUES = (
    "%00",
    "a%00b",
    "0",
    "-1",
    "99999999999999999999",
    "2147483648",
    "%C2%B2",
    "%D9%A3",
    "%ED%A0%80",
    "%FF",
    "x" * 300,
    "..",
    "%2F",
    "%E2%80%AE",
)
ARGUMENT = re.compile(r"<(?:[^<>]*:)?(\w+)>")


def url_of(rule: Rule, args: Mapping[str, object]) -> str:
    """The rule's path with ``args`` in place (values used as given: already URL-safe)."""
    return ARGUMENT.sub(lambda match: str(args[match.group(1)]), rule.rule)


def path_values(rule: Rule, world: World, overrides: Mapping[str, Callable]) -> dict[str, list]:
    """Real values for each path argument: the recipe's, the world's, or the converter's choices."""
    values = {}
    for name in sorted(rule.arguments):
        if name in overrides:
            values[name] = overrides[name](world)
        elif isinstance(rule._converters[name], AnyConverter):
            values[name] = sorted(rule._converters[name].items)
        elif name in PATH_VALUES:
            values[name] = PATH_VALUES[name](world)
        else:
            pytest.fail(
                f"{rule.endpoint}: add a value for the path argument {name!r} to PATH_VALUES"
            )
    return {name: [quote(str(v), safe="") for v in found] for name, found in values.items()}


def paths(
    rule: Rule, world: World, overrides: Mapping[str, Callable] | None = None
) -> st.SearchStrategy:
    """URLs of ``rule`` with real values, now and then one of them hostile."""
    real = path_values(rule, world, overrides or {})
    args = st.fixed_dictionaries({name: st.sampled_from(v) for name, v in real.items()})
    if not real:
        return st.just(rule.rule)
    hostile_args = st.tuples(
        args, st.sampled_from(sorted(real)), st.sampled_from(HOSTILE_PATH_VALUES)
    )
    return st.one_of(
        args.map(lambda a: url_of(rule, a)),
        args.map(lambda a: url_of(rule, a)),
        args.map(lambda a: url_of(rule, a)),
        hostile_args.map(lambda t: url_of(rule, {**t[0], t[1]: t[2]})),
    )


# Logging in


def client_as(app: Flask, world: World, who: str) -> tuple[FlaskClient, str]:
    """A client logged in as ``who`` (or anonymous) and a CSRF token of its session."""
    browser = Browser(app.test_client())
    page = "/auth/login"
    if who != "anonymous":
        person = getattr(world, who)
        assert browser.login(person.email).status_code == 302
        page = "/me"
    return browser.client, csrf_token(browser.client.get(page).get_data(as_text=True))


# Sending

CSRF_MODES = ("field",) * 14 + ("header", "missing", "garbage", "repeated")


def send(
    client: FlaskClient,
    url: str,
    body: hostile.FieldValues,
    encoding: str,
    csrf: str,
    token: str,
    method: str = "POST",
):
    """Send ``body`` the way ``encoding`` says, with the CSRF token as ``csrf`` says."""
    body = {name: list(values) for name, values in body.items()}
    headers = {}
    if csrf == "field":
        body["csrf_token"] = [token]
    elif csrf == "garbage":
        body["csrf_token"] = ["garbage"]
    elif csrf == "repeated":
        body["csrf_token"] = ["garbage", token]
    if csrf == "header" or encoding == "json":
        headers["X-CSRFToken"] = token
    if encoding == "form":
        data, content_type = hostile.urlencoded(body), "application/x-www-form-urlencoded"
    elif encoding == "multipart":
        data = hostile.multipart(body)
        content_type = hostile.MULTIPART_TYPE
    elif encoding == "broken-multipart":
        whole = hostile.multipart(body)
        data, content_type = whole[: len(whole) // 2], hostile.MULTIPART_TYPE
    elif encoding == "json":
        document = {
            name: [v.decode("latin-1") if isinstance(v, bytes) else v for v in values]
            for name, values in body.items()
        }
        data, content_type = json.dumps(document), "application/json"
    elif encoding == "text":
        data, content_type = hostile.urlencoded(body), "text/plain; charset=utf-8"
    else:
        data, content_type = hostile.urlencoded(body), None
    return client.open(url, method=method, data=data, content_type=content_type, headers=headers)


# Recipes for forms


def _form(cls: type[FlaskForm]) -> Callable[[World], FlaskForm]:
    return lambda world: cls(formdata=None)


@dataclass(frozen=True)
class Recipe:
    """How to fuzz one POST endpoint."""

    form: Callable[[World], FlaskForm | None]  # the form it reads (for its real field names)
    valid: Callable[[World], hostile.FieldValues]  # a body it accepts
    writes: frozenset[str] = frozenset()  # tables an accepted (redirected) request may change
    who: str | None = None  # default: the person its access policy admits
    path: Mapping[str, Callable[[World], list[object]]] = field(default_factory=dict)
    values: Mapping[str, st.SearchStrategy] = field(default_factory=dict)  # per field, extra
    encodings: tuple[str, ...] = hostile.ENCODINGS
    writes_when_shown: frozenset[str] = frozenset()  # a page answering 200 that still saved
    reset: Callable[[World], None] | None = None  # undo an accepted example, to accept more
    structured: frozenset[str] = frozenset()  # text fields with a format (YAML, email lists)


def _survey_body(w: World) -> hostile.FieldValues:
    return {
        "name": ["Second wave"],
        "instrument_id": [str(w.instrument_id)],
        "privacy_mode": ["confidential"],
        "audience": ["departments"],
        "department_ids": [str(w.contact_center_id), str(w.finance_id)],
        "opens_at": [SOONER],
        "closes_at": [LATER],
    }


def _item_body(w: World) -> hostile.FieldValues:
    return {
        "dimension": ["listen"],
        "is_reverse_keyed": ["y"],
        "text_en": ["Customers tell us what they need."],
        "text_pt_br": ["Os clientes nos dizem o que precisam."],
        "text_es": ["Los clientes nos dicen lo que necesitan."],
    }


def _answers(w: World) -> hostile.FieldValues:
    body: hostile.FieldValues = {f"item_{item_id}": ["4"] for item_id in w.open_item_ids}
    body.update(role_statement=["I answer our customers' calls."], comment=["Fine."], submit=["1"])
    return body


def _answer_form(w: World):
    return answer_form(db.session.get(Survey, w.open_survey_id).instrument, "en", formdata=None)


def _quiz_form(w: World):
    return quiz_form(training.get_module(w.module_slug).text_in("en"), formdata=None)


def _reopen_invitation(w: World) -> None:
    """Take back the employee's answer, so the next example can submit again."""
    db.session.execute(delete(Response).where(Response.survey_id == w.open_survey_id))
    db.session.execute(
        update(Invitation)
        .where(Invitation.survey_id == w.open_survey_id, Invitation.user_id == w.employee.id)
        .values(submitted_at=None)
    )
    db.session.commit()


def _restore_plan_action(w: World) -> None:
    """Put back the plan's action a confirmed removal took, so the next example removes it
    again."""
    if db.session.get(PlanAction, w.plan_action_id) is None:
        db.session.add(
            PlanAction(
                id=w.plan_action_id,
                plan_id=w.plan_id,
                text="Listen to calls",
                owner_id=w.employee.id,
                due_on=date.today(),
            )
        )
        db.session.commit()


def _mostly_the_deep_tree(w: World) -> list[int]:
    return [w.deep_top_id, w.deep_top_id, w.finance_id]


def _tomorrow() -> str:
    return (date.today() + timedelta(days=1)).isoformat()


RECIPES: dict[str, Recipe] = {
    "auth.forgot_password": Recipe(
        _form(ForgotPasswordForm),
        lambda w: {"email": [w.employee.email]},
        writes=frozenset({"outbox_messages"}),
    ),
    "auth.login": Recipe(
        _form(LoginForm),
        lambda w: {"email": [w.employee.email], "password": [factories.PASSWORD], "next": ["/me"]},
        # A login opens a session on the server; repeated failures email the account's holder.
        writes=frozenset({"user_sessions", "outbox_messages"}),
    ),
    "auth.logout": Recipe(
        lambda w: None, lambda w: {}, who="employee", writes=frozenset({"user_sessions"})
    ),
    "auth.change_password": Recipe(
        lambda w: ChangePasswordForm(w.employee.email, formdata=None),
        lambda w: {
            "current_password": [factories.PASSWORD],
            "new_password": [NEW_PASSWORD],
            "confirm_password": [NEW_PASSWORD],
        },
        writes=frozenset({"users", "user_sessions"}),
    ),
    "auth.set_password": Recipe(
        lambda w: SetPasswordForm("newcomer@example.test", formdata=None),
        lambda w: {"new_password": [NEW_PASSWORD], "confirm_password": [NEW_PASSWORD]},
        writes=frozenset({"users"}),
    ),
    "catalogue.archive": Recipe(
        _form(ConfirmForm),
        lambda w: {"confirm": ["archive"]},
        writes=frozenset({"modules", "audit_events"}),
    ),
    "catalogue.edit": Recipe(
        _form(TextForm),
        lambda w: {
            "title": ["Who is my customer?"],
            "body_markdown": ["Everyone serves a customer, or someone who does."],
            "reflection_prompt": ["Who is yours?"],
            "quiz": [QUIZ_YAML],
            "submit": ["Save"],
        },
        writes=frozenset({"module_texts", "audit_events"}),
        structured=frozenset({"quiz"}),
    ),
    "catalogue.new": Recipe(
        _form(ModuleForm),
        lambda w: {
            "slug": ["listen-first"],
            "dimensions": ["listen", "share"],
            "minutes": ["5"],
            "reflection_kind": ["free"],
        },
        writes=frozenset({"modules", "audit_events"}),
    ),
    "dashboards.training_page": Recipe(
        _form(AssignForm),
        lambda w: {
            "module_id": [str(w.module_id)],
            "department_id": [str(w.contact_center_id)],
            "due_on": [_tomorrow()],
            "message": ["Please take it this week."],
        },
        writes=frozenset({"enrolments", "audit_events"}),
        who="head",
    ),
    "plans.new_plan": Recipe(
        _form(PlanForm),
        lambda w: {"survey_id": [str(w.closed_survey_id)], "dimensions": ["listen", "act"]},
        writes=frozenset({"focus_plans", "audit_events"}),
        who="head",
        path={"department_id": lambda w: [w.contact_center_id]},
    ),
    "plans.add_action": Recipe(
        _form(PlanActionForm),
        lambda w: {
            "text": ["Listen to five calls together."],
            "owner_id": [str(w.employee.id)],
            "due_on": [_tomorrow()],
        },
        writes=frozenset({"plan_actions", "audit_events"}),
        writes_when_shown=RELEASES,  # the plan's page, shown again, reads both waves' results
        who="head",
    ),
    "plans.update_action": Recipe(
        _form(StatusForm),
        lambda w: {"status": ["on_track"]},
        writes=frozenset({"plan_actions", "audit_events"}),
        who="head",
    ),
    "plans.edit_action": Recipe(
        _form(EditActionForm),
        lambda w: {
            "text": ["Listen to five calls together."],
            "owner_id": [str(w.employee.id)],
            "due_on": [_tomorrow()],
        },
        writes=frozenset({"plan_actions", "audit_events"}),
        who="head",
    ),
    "plans.remove_action": Recipe(
        _form(ConfirmForm),
        lambda w: {"confirm": ["remove"]},
        writes=frozenset({"plan_actions", "audit_events"}),
        who="head",
        reset=_restore_plan_action,
    ),
    "plans.edit_dimensions": Recipe(
        _form(DimensionsForm),
        lambda w: {"dimensions": ["share", "lead"]},
        writes=frozenset({"focus_plans", "audit_events"}),
        writes_when_shown=RELEASES,  # the plan's page, shown again, reads both waves' results
        who="head",
    ),
    "plans.plan_step": Recipe(
        _form(StepForm),
        lambda w: {},
        writes=frozenset({"focus_plans", "audit_events"}),
        who="head",
    ),
    "home.set_language": Recipe(
        _form(LanguageForm),
        lambda w: {"locale": ["pt_BR"], "next": ["/me"]},
        writes=frozenset({"users"}),
        who="employee",
    ),
    "hr.add_rule": Recipe(
        _form(RuleForm),
        lambda w: {
            "dimension": ["listen"],
            "threshold": ["60"],
            "module_id": [str(w.module_id)],
            "due_days": ["30"],
        },
        writes=frozenset({"training_rules", "rule_applications", "enrolments", "audit_events"})
        | RELEASES,
        path={"survey_id": lambda w: [w.closed_survey_id, w.open_survey_id]},
    ),
    "hr.api_tokens_page": Recipe(
        _form(ApiTokenForm),
        lambda w: {"name": ["Power BI"], "scopes": ["results:read"], "valid_days": ["30"]},
        writes_when_shown=frozenset({"api_tokens", "audit_events"}),  # the secret is shown once
    ),
    "hr.revoke_api_token": Recipe(
        _form(ActionForm),
        lambda w: {},
        writes=frozenset({"api_tokens", "audit_events"}),
        path={"token_id": lambda w: [w.api_token_id]},
    ),
    "hr.delete_free_text": Recipe(
        _form(DeleteFreeTextForm),
        lambda w: {"confirm": ["y"]},
        # The closed wave is within its retention period: refused, whatever is sent.
        path={"survey_id": lambda w: [w.closed_survey_id]},
    ),
    "hr.edit_survey": Recipe(
        _form(SurveyForm),
        _survey_body,
        writes=frozenset({"surveys", "survey_departments", "audit_events"}),
        path={"survey_id": lambda w: [w.draft_survey_id]},
    ),
    "hr.extend_survey": Recipe(
        _form(ExtendForm),
        lambda w: {"closes_at": [LATER]},
        writes=frozenset({"surveys", "audit_events"}),
    ),
    "hr.new_survey": Recipe(
        _form(SurveyForm),
        _survey_body,
        writes=frozenset({"surveys", "survey_departments", "audit_events"}),
    ),
    "hr.retry_emails": Recipe(
        _form(ActionForm), lambda w: {}, writes=frozenset({"outbox_messages", "audit_events"})
    ),
    "hr.survey_action": Recipe(
        # Launching and closing early need their confirmation page's field; the others ignore it.
        _form(ConfirmForm),
        lambda w: {"confirm": ["launch"]},
        writes=frozenset(LAUNCH_TABLES | {"enrolments", "rule_applications"}) | RELEASES,
    ),
    "instruments.add_item": Recipe(
        _form(ItemForm), _item_body, writes=frozenset({"instrument_items", "audit_events"})
    ),
    "instruments.change_item": Recipe(
        _form(ActionForm), lambda w: {}, writes=frozenset({"instrument_items", "audit_events"})
    ),
    "instruments.copy": Recipe(
        _form(ActionForm),
        lambda w: {},
        writes=frozenset({"instruments", "instrument_items", "audit_events"}),
        path={"instrument_id": lambda w: [w.instrument_id, w.editable_instrument_id]},
    ),
    "instruments.edit_item": Recipe(
        _form(ItemForm), _item_body, writes=frozenset({"instrument_items", "audit_events"})
    ),
    "people.archive_department": Recipe(
        _form(ActionForm), lambda w: {}, writes=frozenset({"departments", "audit_events"})
    ),
    "people.erase": Recipe(
        _form(EraseForm),
        lambda w: {"confirm_email": [w.colleague_email]},
        writes=frozenset(
            {
                "users",
                "department_heads",
                "invitations",
                "responses",
                "enrolments",
                "outbox_messages",
                "roster_imports",
                "audit_events",
            }
        ),
        path={"user_id": lambda w: [w.colleague_id]},
    ),
    "people.merge_department": Recipe(
        _form(MergeForm),
        lambda w: {"target_id": [str(w.contact_center_id)]},
        writes=frozenset({"departments", "department_heads", "survey_departments", "audit_events"}),
        path={"department_id": _mostly_the_deep_tree},
    ),
    "people.move_department": Recipe(
        _form(MoveForm),
        lambda w: {"parent_id": [str(w.contact_center_id)]},
        writes=frozenset({"departments", "audit_events"}),
        path={"department_id": _mostly_the_deep_tree},
    ),
    "people.person": Recipe(
        _form(PersonForm),
        lambda w: {
            "department_id": [str(w.finance_id)],
            "headed_department_ids": [str(w.finance_id)],
            "manager_email": [w.head.email],
            "is_active": ["y"],
        },
        writes=frozenset({"users", "department_heads", "invitations", "audit_events"}),
    ),
    "people.rename_department": Recipe(
        _form(RenameForm),
        lambda w: {"name": ["Renamed"]},
        writes=frozenset({"departments", "audit_events"}),
        path={"department_id": _mostly_the_deep_tree},
    ),
    "people.resend_link": Recipe(
        _form(ActionForm), lambda w: {}, writes=frozenset({"outbox_messages", "audit_events"})
    ),
    "people.set_heads": Recipe(
        _form(HeadsForm),
        lambda w: {"emails": [w.head.email + "\r\n" + w.hr_admin.email]},
        writes=frozenset({"department_heads", "audit_events"}),
        structured=frozenset({"emails"}),
    ),
    "roster.apply": Recipe(
        _form(ApplyForm),
        lambda w: {"send_emails": ["y"], "confirm": ["apply"]},
        writes=frozenset(
            {
                "users",
                "departments",
                "department_heads",
                "invitations",
                "outbox_messages",
                "roster_imports",
                "audit_events",
            }
        ),
    ),
    "roster.upload": Recipe(
        _form(UploadForm),
        lambda w: {"file": [ROSTER_CSV], "deactivate_missing": ["y"]},
        writes=frozenset({"roster_imports"}),
        values={"file": hostile.roster_files()},
        encodings=("multipart",) * 5 + hostile.ENCODINGS,
    ),
    "surveys.answer": Recipe(
        _answer_form,
        _answers,
        writes=frozenset({"invitations", "responses", "answers", "enrolments"}),
        path={"survey_id": lambda w: [w.open_survey_id]},
        reset=_reopen_invitation,
    ),
    # Without a pass the answer form sends to the code page: nothing is written.
    "passes.answer": Recipe(_answer_form, _answers),
    "passes.leave": Recipe(lambda w: None, lambda w: {}),
    # A wrong code is refused beside the field; past the limit, a 429 and an audit entry.
    "passes.code": Recipe(
        _form(CodeForm),
        lambda w: {"employee_number": ["E00001"], "code": ["ABCDE-FGHJK"]},
        writes_when_shown=frozenset({"audit_events"}),
    ),
    "reach.cards": Recipe(
        lambda w: CardsForm(prefix="cards", formdata=None),
        lambda w: {"cards-department_id": ["0"], "cards-without_email_only": ["y"]},
        # Cards draw the codes' seeds (and retire old ones) and are audited, PDF or not.
        writes=frozenset({"invitations", "revoked_passes", "audit_events"}),
        writes_when_shown=frozenset({"invitations", "revoked_passes", "audit_events"}),
        path={"survey_id": lambda w: [w.open_survey_id]},
    ),
    "reach.send_link": Recipe(
        lambda w: SendLinkForm(prefix="send", formdata=None),
        lambda w: {"send-who": [w.employee.email]},
        writes=frozenset({"invitations", "revoked_passes", "outbox_messages", "audit_events"}),
        path={"survey_id": lambda w: [w.open_survey_id]},
    ),
    "training.enrol": Recipe(_form(EnrolForm), lambda w: {}, writes=frozenset({"enrolments"})),
    "training.count_for_team": Recipe(
        _form(CountForTeamForm), lambda w: {}, writes=frozenset({"enrolments"})
    ),
    "training.quiz": Recipe(
        _quiz_form,
        lambda w: {"question_0": ["0"], "question_1": ["0"], "question_2": ["1"]},
        writes_when_shown=frozenset({"enrolments"}),  # the graded check is shown, not redirected
    ),
    "training.reflect": Recipe(
        _form(ReflectionForm),
        lambda w: {"reflection": ["I serve whoever my work reaches."]},
        writes=frozenset({"enrolments"}),
    ),
}


TEXT_WEIGHT = 4  # text fields are where NUL and length bugs live: mutated more often


def form_fields(app: Flask, recipe: Recipe, world: World) -> list:
    """The fields of the endpoint's form (but its CSRF token), as it renders them."""
    with app.test_request_context():
        form = recipe.form(world)
        return [f for f in form if f.name != "csrf_token"] if form is not None else []


def weighted_names(fields: list) -> tuple[str, ...]:
    """The field names, text fields repeated so that the fuzzer picks them more often."""
    return tuple(
        f.name for f in fields for _ in range(TEXT_WEIGHT if isinstance(f, StringField) else 1)
    )


def at_the_limit(fields: list) -> dict[str, st.SearchStrategy]:
    """For each field with a length limit, values exactly at it (and one past): what the form
    lets through must fit its column, and whatever is built from it (a department's path)."""
    found = {}
    for f in fields:
        limits = [v.max for v in f.validators if isinstance(v, Length) and v.max and v.max > 0]
        if limits:
            n = min(limits)
            found[f.name] = st.sampled_from(["x" * n, "é" * n, "😀" * n, "x" * (n + 1)])
    return found


def check_after(
    app: Flask, before: dict, endpoint: str, response, allowed: frozenset[str] | None
) -> None:
    """No 500; nothing stored half or that PostgreSQL would refuse; and no table changed
    beyond ``allowed`` (None: any table, for JSON endpoints nobody has described yet)."""
    assert response.status_code < 500, f"{endpoint} answered {response.status_code}"
    with app.app_context():
        changed = changed_tables(before, snapshot())
        if changed:
            assert stored_text_problems() == []
            assert consistency_problems() == []
    unexpected = changed - allowed if allowed is not None else set()
    assert not unexpected, f"{endpoint} answered {response.status_code}, changed {unexpected}"


@pytest.mark.parametrize("endpoint", FORM_ENDPOINTS)
def test_hostile_form_values_never_cause_a_500_or_a_partial_write(app, endpoint):
    recipe = RECIPES.get(endpoint)
    if recipe is None:
        pytest.fail(f"{endpoint} takes POST and has no fuzz recipe: add one to RECIPES")
    world = build_world(app)
    client, token = client_as(app, world, recipe.who or default_who(endpoint))
    fields = form_fields(app, recipe, world)
    names = weighted_names(fields)
    values = {**at_the_limit(fields), **recipe.values}
    valid = recipe.valid(world)
    assert set(valid) <= set(names), f"the recipe posts fields {endpoint}'s form does not have"
    urls = paths(RULES[endpoint], world, recipe.path)

    @FUZZ
    @given(data=st.data())
    def post_hostile_values(data):
        url = data.draw(urls, label="url")
        body = data.draw(hostile.mutated_body(valid, names, values), label="body")
        encoding = data.draw(st.sampled_from(recipe.encodings), label="encoding")
        csrf = data.draw(st.sampled_from(CSRF_MODES), label="csrf")
        with app.app_context():
            before = snapshot()
        response = send(client, url, body, encoding, csrf, token)
        redirected = response.status_code in REDIRECTS
        allowed = recipe.writes if redirected else recipe.writes_when_shown
        check_after(app, before, endpoint, response, allowed)
        if recipe.reset is not None:
            with app.app_context():
                recipe.reset(world)

    post_hostile_values()


def test_hostile_roster_files_are_refused_or_applied_whole(app):
    """Upload, preview and apply, end to end: the file's content is the hostile part."""
    world = build_world(app)
    client, token = client_as(app, world, "hr_admin")
    writes = RECIPES["roster.apply"].writes

    @FUZZ
    @given(content=hostile.roster_files(), deactivate_missing=st.booleans())
    def upload_preview_apply(content, deactivate_missing):
        with app.app_context():
            before = snapshot()
        form: hostile.FieldValues = {"csrf_token": [token], "file": [content]}
        if deactivate_missing:
            form["deactivate_missing"] = ["y"]
        # Encoded here: the test client spools a large body to a file it never closes.
        upload = client.post(
            "/hr/roster/",
            data=hostile.multipart(form),
            content_type=hostile.MULTIPART_TYPE,
        )
        assert upload.status_code in (200, 302)
        if upload.status_code == 302:
            assert client.get(upload.location).status_code == 200
            applied = client.post(
                f"{upload.location}/apply",
                data={"csrf_token": token, "send_emails": "y", "confirm": "apply"},
            )
            check_after(app, before, "roster.apply", applied, writes)
        else:
            check_after(app, before, "roster.upload", upload, frozenset())

    upload_preview_apply()


# What was stored, shown everywhere

# Valid, and as awkward as text gets: markup, placeholders, formulas, both directions, emoji.
NASTY = (
    "<script>alert(1)</script> \"'& %(n)s %s {{ 7 * 7 }} =1+1 @x \u202eمرحبا\u202c "
    "👩🏽‍💻 e\u0301\u0301 ﬁß "
)
SCRIPT = "<script>alert(1)</script>"
LAST = {"catalogue.archive", "people.archive_department", "people.merge_department"}
SESSION_ENDING = {"auth.logout", "auth.change_password", "auth.set_password"}


def _plain_text(field, recipe: Recipe) -> bool:
    special = (PasswordField, HiddenField, EmailField)
    return (
        isinstance(field, StringField)
        and not isinstance(field, special)
        and field.name not in recipe.structured
        and not any(isinstance(v, Regexp) for v in field.validators)
    )


def nasty_body(fields: list, recipe: Recipe, valid: hostile.FieldValues) -> hostile.FieldValues:
    """``valid`` with every plain text field filled with NASTY up to the field's limit."""
    body = dict(valid)
    for f in fields:
        if f.name in valid and _plain_text(f, recipe):
            limits = [v.max for v in f.validators if isinstance(v, Length) and v.max > 0]
            limit = min(limits, default=500)
            body[f.name] = [(NASTY * (limit // len(NASTY) + 1))[:limit].strip()]
    return body


NASTY_ROSTER = (
    "employee number,name,email,department\r\n"
    f'8001,"{NASTY.strip()}",nasty@example.test,"Operations/{NASTY.strip()}"\r\n'
).encode()


def test_what_the_forms_accept_every_page_shows(app):
    """Every form given awkward text it accepts, then every page opened: none fails, and no
    page lets the markup through unescaped."""
    world = build_world(app)
    clients = {who: client_as(app, world, who) for who in ROLES}
    client, token = clients["hr_admin"]
    upload = client.post(
        "/hr/roster/",
        data={"csrf_token": token, "file": (io.BytesIO(NASTY_ROSTER), "people.csv")},
        content_type="multipart/form-data",
    )
    applied = client.post(
        f"{upload.location}/apply", data={"csrf_token": token, "confirm": "apply"}
    )
    assert applied.status_code == 302
    # Archiving and merging last: they take away what the other forms use.
    for endpoint in sorted(set(FORM_ENDPOINTS) - SESSION_ENDING, key=lambda e: e in LAST):
        recipe = RECIPES[endpoint]
        client, token = clients[recipe.who or default_who(endpoint)]
        rule = RULES[endpoint]
        paths_given = {**recipe.path, "department_id": lambda w: [w.finance_id]}
        url = url_of(rule, {n: v[0] for n, v in path_values(rule, world, paths_given).items()})
        body = nasty_body(form_fields(app, recipe, world), recipe, recipe.valid(world))
        response = send(client, url, body, "multipart", "field", token)
        assert response.status_code < 500, endpoint
    with app.app_context():
        assert stored_text_problems() == []
        assert consistency_problems() == []

    failures = {}
    for endpoint, rule in sorted(RULES.items()):
        if "GET" not in rule.methods or endpoint in FILE_ENDPOINTS:
            continue
        url = url_of(rule, {n: v[0] for n, v in path_values(rule, world, {}).items()})
        for who in {default_who(endpoint), "hr_admin"}:
            response = clients[who][0].get(url)
            html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            if response.status_code >= 500 or SCRIPT in html:
                failures[f"{endpoint} as {who}"] = response.status_code
    assert failures == {}


# Query parameters

# Downloads are written into the audit trail, and nothing else.
DOWNLOAD_WRITES = {
    **dict.fromkeys(
        (
            "dashboards.overview",
            "dashboards.overview_heatmap",
            "dashboards.overview_trend",
            "dashboards.results_chart",
            "dashboards.results_items_chart",
            "dashboards.results_page",
        ),
        RELEASES,
    ),
    **dict.fromkeys(("audit.export", "dashboards.training_csv"), frozenset({"audit_events"})),
    **dict.fromkeys(
        ("dashboards.overview_export", "dashboards.results_report"),
        frozenset({"audit_events"}) | RELEASES,
    ),
}
AUDIT_FILTERS = ("action", "actor", "target_type", "since", "until", "page")
QUERY_PARAMETERS: dict[str, tuple[str, ...]] = {
    "auth.login": ("next",),
    "dashboards.overview": ("survey", "level"),
    "dashboards.overview_export": ("survey",),
    "dashboards.overview_heatmap": ("survey", "level", "layout"),
    "dashboards.overview_trend": ("survey", "layout"),
    "dashboards.results_chart": ("survey", "department", "layout"),
    "dashboards.results_items_chart": ("survey", "department", "layout"),
    "dashboards.results_page": ("survey", "department", "outcome", "texts_page"),
    "dashboards.effects_page": ("survey",),
    "dashboards.results_report": ("survey", "department"),
    "dashboards.training_page": ("module", "department"),
    "plans.new_plan": ("survey",),
    "people.people_index": ("q", "status", "page"),
    "hr.outbox": ("survey", "status", "page"),
    "audit.index": AUDIT_FILTERS,
    "audit.export": AUDIT_FILTERS,
}
QUERY_VALUES: dict[str, Callable[[World], list[str]]] = {
    "survey": lambda w: [str(w.closed_survey_id), str(w.open_survey_id), str(w.draft_survey_id)],
    "department": lambda w: ["Operations", "Operations/Contact Center", DEEP_TOP],
    "level": lambda w: ["1", "2", "20"],
    "module": lambda w: [str(w.module_id)],
    "q": lambda w: ["Eva", "example.test", "E0"],
    # The people list's filters, then the outbox's.
    "status": lambda w: ["active", "inactive", "all", "waiting", "failed", "sent", "logged"],
    "layout": lambda w: ["wide", "narrow"],
    "outcome": lambda w: ["advocacy", "customer_mention"],
    "texts_page": lambda w: ["1", "2", "999999"],
    "page": lambda w: ["1", "2"],
    "next": lambda w: ["/me", "/hr/"],
    "action": lambda w: ["survey.launched", "org.person_erased", ""],
    "actor": lambda w: ["Helga", "hr@example.test", ""],
    "target_type": lambda w: ["survey", "user", ""],
    "since": lambda w: ["2026-01-01", "2026-12-01", ""],
    "until": lambda w: ["2026-12-31", "2025-01-01", ""],
}


@st.composite
def query_strings(draw, names: tuple[str, ...], world: World) -> str:
    """Each parameter missing, real, hostile, empty or repeated; unknown ones now and then."""
    pairs: list[tuple[str | bytes, str | bytes]] = []
    for name in names:
        choice = draw(st.sampled_from(["missing", "real", "real", "hostile", "empty", "twice"]))
        real = st.sampled_from(QUERY_VALUES[name](world))
        if choice == "real":
            pairs.append((name, draw(real)))
        elif choice == "hostile":
            pairs.append((name, draw(hostile.hostile_value())))
        elif choice == "empty":
            pairs.append((name, ""))
        elif choice == "twice":
            pairs += [(name, draw(st.one_of(real, hostile.hostile_value()))) for _ in range(2)]
    for name, value in draw(
        st.lists(
            st.tuples(st.sampled_from(hostile.UNKNOWN_NAMES), hostile.hostile_value()), max_size=2
        )
    ):
        pairs.append((name, value))
    encoded = [(hostile.encode(k), hostile.encode(v)) for k, v in pairs]
    return urlencode(encoded)


def recording_request_class(base: type[Request], seen: set[str]) -> type[Request]:
    """The app's request class, noting in ``seen`` every query parameter the view reads."""

    class RecordingArgs(ImmutableMultiDict):
        def __getitem__(self, key):
            seen.add(key)
            return super().__getitem__(key)

        def get(self, key, default=None, type=None):
            seen.add(key)
            return super().get(key, default, type)

        def getlist(self, key, type=None):
            seen.add(key)
            return super().getlist(key, type)

        def __contains__(self, key):
            seen.add(key)
            return super().__contains__(key)

    class RecordingRequest(base):
        @cached_property
        def args(self):
            return RecordingArgs(super().args)

    return RecordingRequest


def test_every_endpoint_reading_query_parameters_has_them_listed(app):
    """Opens every GET endpoint as the person it is for and notes the parameters it reads."""
    world = build_world(app)
    clients = {who: client_as(app, world, who)[0] for who in ROLES}
    unlisted: dict[str, set[str]] = {}
    request_class = app.request_class
    for endpoint, rule in sorted(RULES.items()):
        if "GET" not in rule.methods or endpoint in FILE_ENDPOINTS:
            continue
        url = url_of(rule, {n: v[0] for n, v in path_values(rule, world, {}).items()})
        seen: set[str] = set()
        app.request_class = recording_request_class(request_class, seen)
        client = clients[default_who(endpoint)]
        assert client.get(url).status_code < 500, endpoint
        extra = seen - set(QUERY_PARAMETERS.get(endpoint, ()))
        if extra:
            unlisted[endpoint] = extra
    assert unlisted == {}, "add these to QUERY_PARAMETERS (and their values to QUERY_VALUES)"
    assert set(QUERY_PARAMETERS) <= set(RULES)


@pytest.mark.parametrize("endpoint", sorted(QUERY_PARAMETERS))
def test_hostile_query_parameters_never_cause_a_500_or_a_write(app, endpoint):
    world = build_world(app)
    client, _token = client_as(app, world, default_who(endpoint))
    rule = RULES[endpoint]
    urls = paths(rule, world)

    @FUZZ
    @given(url=urls, query=query_strings(QUERY_PARAMETERS[endpoint], world))
    def get_hostile_query(url, query):
        with app.app_context():
            before = snapshot()
        response = client.get(f"{url}?{query}")
        check_after(app, before, endpoint, response, DOWNLOAD_WRITES.get(endpoint, frozenset()))

    get_hostile_query()


# Paths


def test_hostile_path_values_never_cause_a_500(app):
    world = build_world(app)
    clients = {who: client_as(app, world, who) for who in ROLES}
    answers = {}
    for endpoint, rule in sorted(RULES.items()):
        if not rule.arguments or rule.endpoint in FILE_ENDPOINTS:
            continue
        real = {name: values[0] for name, values in path_values(rule, world, {}).items()}
        client, token = clients[default_who(endpoint)]
        method = "GET" if "GET" in rule.methods else "POST"
        for name in real:
            for value in HOSTILE_PATH_VALUES:
                url = url_of(rule, {**real, name: value})
                response = client.open(url, method=method, data={"csrf_token": token})
                answers[url] = response.status_code
    assert {url: code for url, code in answers.items() if code >= 500} == {}


# JSON endpoints


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS)
def test_hostile_json_requests_never_cause_a_500_or_a_partial_write(app, endpoint):
    world = build_world(app)
    client, token = client_as(app, world, default_who(endpoint))
    rule = RULES[endpoint]
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    urls = paths(rule, world)
    names = hostile.UNKNOWN_NAMES + tuple(QUERY_VALUES)

    @FUZZ
    @given(
        url=urls,
        method=st.sampled_from(methods),
        query=query_strings((), world),
        document=hostile.json_values(),
        raw=st.one_of(st.none(), st.binary(max_size=64)),
        content_type=st.sampled_from(
            ["application/json", "application/json; charset=latin-1", "text/plain", None]
        ),
        params=st.dictionaries(st.sampled_from(names), hostile.hostile_text(), max_size=3),
    )
    def call_with_hostile_input(url, method, query, document, raw, content_type, params):
        with app.app_context():
            before = snapshot()
        query = "&".join(filter(None, [query, urlencode(params)]))
        body = raw if raw is not None else json.dumps(document).encode("utf-8", "surrogatepass")
        response = client.open(
            f"{url}?{query}",
            method=method,
            data=None if method == "GET" else body,
            content_type=None if method == "GET" else content_type,
            headers={"X-CSRFToken": token},
        )
        check_after(app, before, endpoint, response, frozenset() if method == "GET" else None)

    call_with_hostile_input()
