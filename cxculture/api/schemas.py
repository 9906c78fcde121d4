"""What the API reads and writes, as marshmallow schemas (the OpenAPI document is built from
them). Input schemas reject unknown fields; the rules a person must meet live in the roster
service, not here, so the API and the CSV import cannot drift apart."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from cxculture.disclosure import NOT_RELEASED as WITHHELD_NOT_RELEASED
from cxculture.disclosure import SUPPRESSED as WITHHELD_SUPPRESSED
from cxculture.paths import PATH_MAX_LENGTH
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.scoring.role_statement import CATEGORIES
from cxculture.services.org.roster import HEADS_SEPARATOR, MAX_LENGTHS

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
LOCALES = ("en", "pt_BR", "es")


class StrictBoolean(fields.Boolean):
    """``true`` or ``false`` only: no ``"yes"``, ``1`` or ``"on"`` in a JSON body."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


# Errors


class ErrorBodySchema(Strict):
    code = fields.String(
        required=True,
        metadata={"description": "A stable word: invalid_input, token_expired, not_found..."},
    )
    message = fields.String(required=True, metadata={"description": "For people, in English."})
    details = fields.Dict(
        required=True,
        metadata={
            "description": "For invalid input: location (json, query, path) -> field -> "
            "messages. Empty when there is nothing more to say."
        },
    )


class ErrorSchema(Strict):
    error = fields.Nested(ErrorBodySchema, required=True)


# Pages


class PageQuerySchema(Strict):
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(1, MAX_LIMIT),
        metadata={"description": f"Items per page, 1 to {MAX_LIMIT}."},
    )
    cursor = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "The next_cursor of the previous page; none for the first."},
    )


def _page_of(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    return ma.Schema.from_dict(
        {
            "data": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "Pass it as cursor for the next page; null at the end."},
            ),
        },
        name=name,
    )


# Departments


class DepartmentSchema(Strict):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    path = fields.String(required=True, metadata={"example": "Operations/Contact Center"})
    parent_id = fields.Integer(required=True, allow_none=True)
    depth = fields.Integer(required=True, metadata={"description": "0 at the top level."})
    archived = fields.Boolean(required=True, attribute="is_archived")
    active_people = fields.Integer(
        required=True, metadata={"description": "Active people in it, not counting below it."}
    )
    heads = fields.List(
        fields.String(), required=True, metadata={"description": "The heads' emails."}
    )


DepartmentPageSchema = _page_of(DepartmentSchema, "DepartmentPage")


# People


class PeopleQuerySchema(PageQuerySchema):
    department = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "A department id: its people and those below it."},
    )
    active = fields.Boolean(metadata={"description": "true or false; both when not given."})


class PersonSchema(Strict):
    employee_number = fields.String(required=True, allow_none=True)
    name = fields.String(required=True)
    email = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "null for a person without a mailbox (known by number)."},
    )
    department = fields.String(
        required=True, allow_none=True, metadata={"description": "The department's path."}
    )
    department_id = fields.Integer(required=True, allow_none=True)
    heads = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Paths of the departments this person heads."},
    )
    hr_admin = fields.Boolean(required=True, attribute="is_hr_admin")
    locale = fields.String(required=True, allow_none=True)
    manager_email = fields.String(required=True, allow_none=True)
    active = fields.Boolean(required=True, attribute="is_active")
    deactivated_at = fields.DateTime(required=True, allow_none=True)


PersonPageSchema = _page_of(PersonSchema, "PersonPage")


def _no_separator(path: str) -> None:
    if HEADS_SEPARATOR in path:
        raise ma.ValidationError(f"A department headed cannot contain {HEADS_SEPARATOR!r}.")


class PersonInputSchema(Strict):
    """A person as the HR system has them. Optional fields left out are left as they are."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTHS["name"]))
    email = fields.String(
        required=True,
        allow_none=True,
        validate=validate.Length(max=MAX_LENGTHS["email"]),
        metadata={
            "example": "ana.souza@example.com",
            "description": "null or empty for a person without a mailbox: they answer "
            "surveys with printed codes, cannot be HR admin or head a department; an email "
            "already stored is kept.",
        },
    )
    department = fields.String(
        required=True,
        validate=validate.Length(min=1, max=PATH_MAX_LENGTH),
        metadata={
            "description": "Path from the top, levels separated by '/'; missing departments "
            "are created.",
            "example": "Operations/Contact Center",
        },
    )
    heads = fields.List(
        fields.String(validate=[validate.Length(min=1, max=PATH_MAX_LENGTH), _no_separator]),
        validate=validate.Length(max=100),
        metadata={"description": "Paths of the departments this person heads ([]: none)."},
    )
    hr_admin = StrictBoolean()
    locale = fields.String(validate=validate.OneOf(LOCALES), allow_none=True)
    manager_email = fields.String(
        allow_none=True,
        validate=validate.Length(max=MAX_LENGTHS["email"]),
        metadata={"description": "The manager's email; null or empty: no manager."},
    )


# Surveys and results


class InstrumentRefSchema(Strict):
    key = fields.String(required=True)
    version = fields.Integer(required=True)


class SurveySchema(Strict):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    instrument = fields.Nested(InstrumentRefSchema, required=True)
    state = fields.String(
        required=True, validate=validate.OneOf(("draft", "scheduled", "open", "closed"))
    )
    privacy_mode = fields.String(required=True)
    opens_at = fields.DateTime(required=True)
    closes_at = fields.DateTime(required=True)
    launched_at = fields.DateTime(required=True, allow_none=True)
    closed_at = fields.DateTime(required=True, allow_none=True)
    invited = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "People invited so far (invitations not withdrawn)."},
    )
    responded = fields.Integer(required=True, allow_none=True)
    counts_withheld = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf((WITHHELD_SUPPRESSED,)),
        metadata={
            "description": "null when invited and responded are given; `suppressed` when "
            "fewer people than the minimum were invited, so both are null."
        },
    )


SurveyPageSchema = _page_of(SurveySchema, "SurveyPage")


class ResultsQuerySchema(Strict):
    department = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={
            "description": "A department id (sub-departments rolled up); the company "
            "when not given."
        },
    )


class DimensionResultSchema(Strict):
    key = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    score = fields.Float(required=True, allow_none=True, metadata={"description": "0-100."})
    favorable = fields.Float(
        required=True, allow_none=True, metadata={"description": "Share of answers 4-5."}
    )
    neutral = fields.Float(required=True, allow_none=True, metadata={"description": "Share of 3."})
    unfavorable = fields.Float(
        required=True, allow_none=True, metadata={"description": "Share of answers 1-2."}
    )


class GroupDepartmentSchema(Strict):
    id = fields.Integer(required=True)
    path = fields.String(required=True)


class ResultsSchema(Strict):
    survey_id = fields.Integer(required=True)
    department = fields.Nested(
        GroupDepartmentSchema,
        required=True,
        allow_none=True,
        metadata={"description": "null for the whole company."},
    )
    minimum = fields.Integer(
        required=True, metadata={"description": "Smallest group whose numbers are shown."}
    )
    suppressed = fields.Boolean(
        required=True,
        metadata={
            "description": "true when no figures of the group may be given: then every number "
            "is null and `withheld` says why."
        },
    )
    withheld = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf((WITHHELD_NOT_RELEASED, WITHHELD_SUPPRESSED)),
        metadata={
            "description": "null when the figures are given; `not_released` while the survey "
            "is open (results come out when it closes); `suppressed` when the group has fewer "
            "responses than the minimum, or a smaller group could be worked out from it."
        },
    )
    released_at = fields.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "When the figures given were released."},
    )
    stale = fields.Boolean(
        required=True,
        metadata={
            "description": "true when later responses exist that are not in these figures yet: "
            "too few came in since to release them without singling anyone out."
        },
    )
    n = fields.Integer(required=True, allow_none=True, metadata={"description": "Responses."})
    index = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "Customer Orientation Index, 0-100."},
    )
    dimensions = fields.List(fields.Nested(DimensionResultSchema), required=True)
    role_statements = fields.Dict(
        keys=fields.String(validate=validate.OneOf(CATEGORIES)),
        values=fields.Float(),
        required=True,
        allow_none=True,
        metadata={"description": "Share of each role-statement category."},
    )
    customer_mention_rate = fields.Float(required=True, allow_none=True)


# Training


class CompletionQuerySchema(Strict):
    department = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={
            "description": "A department id (people now in it and below it); every "
            "department when not given."
        },
    )


class ModuleCompletionSchema(Strict):
    module_id = fields.Integer(required=True)
    slug = fields.String(required=True)
    title = fields.String(required=True, metadata={"description": "In English."})
    assigned = fields.Integer(
        required=True,
        metadata={
            "description": "People a head, HR or an automatic rule assigned the module to (as "
            "the pages' Enrolled). Modules people take on their own, or that were suggested "
            "from their own answers, are theirs alone and never counted."
        },
    )
    completed = fields.Integer(required=True)
    overdue = fields.Integer(required=True)


class CompletionSchema(Strict):
    department = fields.Nested(GroupDepartmentSchema, required=True, allow_none=True)
    modules = fields.List(fields.Nested(ModuleCompletionSchema), required=True)


# Did it work?


class EffectsQuerySchema(Strict):
    survey_id = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={
            "description": "The second wave: a closed survey with a closed wave of the same "
            "questionnaire before it. The newest such survey when not given."
        },
    )


class WaveSchema(Strict):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    opens_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(
        required=True, metadata={"description": "When it closed: early, or on its date."}
    )


class EffectModuleSchema(Strict):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    title = fields.String(required=True, metadata={"description": "In English."})


class EffectRowSchema(Strict):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(("module", "plan")),
        metadata={"description": "A module assigned between the waves, or the focus plans."},
    )
    module = fields.Nested(
        EffectModuleSchema,
        required=True,
        allow_none=True,
        metadata={"description": "null for plans."},
    )
    dimension = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    treated_departments = fields.Integer(
        required=True,
        metadata={"description": "Departments compared that completed the module or a plan."},
    )
    control_departments = fields.Integer(
        required=True, metadata={"description": "The other departments compared."}
    )
    control_partly = fields.Integer(
        required=True,
        metadata={
            "description": "Of the other departments, those that had it in part: assigned but "
            "short of the completion share, or a plan short of its actions."
        },
    )
    treated_mean_change = fields.Float(
        required=True,
        allow_none=True,
        metadata={
            "description": "Mean change (second wave minus first, 0-100 points). null, like "
            "every number of the row, when a side has fewer than two departments."
        },
    )
    control_mean_change = fields.Float(required=True, allow_none=True)
    difference = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "treated_mean_change minus control_mean_change."},
    )
    ci_low = fields.Float(required=True, allow_none=True)
    ci_high = fields.Float(required=True, allow_none=True)
    level = fields.Float(required=True, metadata={"description": "Of the interval: 0.95."})
    verdict = fields.String(
        required=True,
        validate=validate.OneOf(
            ("too_few_departments", "not_sure", "clearly_higher", "clearly_lower")
        ),
        metadata={
            "description": "`too_few_departments` below the minimum a side; `not_sure` when the "
            "interval includes zero; else `clearly_higher` or `clearly_lower`."
        },
    )
    weighted = fields.Boolean(
        required=True,
        metadata={
            "description": "Departments weighed by the responses of the thinner of their two waves."
        },
    )


class EffectsSchema(Strict):
    first_wave = fields.Nested(WaveSchema, required=True, allow_none=True)
    second_wave = fields.Nested(
        WaveSchema,
        required=True,
        allow_none=True,
        metadata={"description": "null when no survey has a wave to compare with."},
    )
    completion_share = fields.Float(
        required=True,
        metadata={
            "description": "Share of a department's assigned people (or of a plan's actions) "
            "done before the second wave opened for it to count as completed."
        },
    )
    min_departments_per_side = fields.Integer(required=True)
    departments = fields.Integer(
        required=True,
        metadata={
            "description": "Departments compared: the finest released in both waves. Groups "
            "the release layer hides never enter."
        },
    )
    rows = fields.List(fields.Nested(EffectRowSchema), required=True)
