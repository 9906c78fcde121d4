"""Surveys: the lifecycle HR runs (create, launch, remind, close, extend, reopen, response
progress), offered here by name, and its parts:

- ``questionnaires``: the versioned instruments and their items;
- ``responses``: answering (my surveys, drafts, submitting exactly once, scoring);
- ``retention``: deleting free text once its retention period is over.

``lifecycle`` is its internal module."""

from cxculture.services.surveys.lifecycle import (
    EmptyAudience,
    InvalidSurveyDates,
    SurveyError,
    SurveyProgress,
    SurveySpec,
    WrongState,
    audience_condition,
    close_survey,
    create_survey,
    extend_survey,
    get_survey,
    invite_newcomers,
    launch_survey,
    list_surveys,
    outbox,
    reopen_survey,
    retry_emails,
    send_reminders,
    survey_progress,
    surveys_page,
    update_survey,
)

# The parts offered by name come last: they use the functions above.
from cxculture.services.surveys import (  # isort: skip
    questionnaires,
    responses,
    retention,
)

__all__ = [
    "audience_condition",
    "close_survey",
    "create_survey",
    "EmptyAudience",
    "extend_survey",
    "get_survey",
    "InvalidSurveyDates",
    "invite_newcomers",
    "launch_survey",
    "list_surveys",
    "outbox",
    "questionnaires",
    "reopen_survey",
    "responses",
    "retention",
    "retry_emails",
    "send_reminders",
    "survey_progress",
    "SurveyError",
    "SurveyProgress",
    "surveys_page",
    "SurveySpec",
    "update_survey",
    "WrongState",
]
