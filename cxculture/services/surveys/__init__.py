"""Surveys: the lifecycle HR runs (create, launch, remind, close, extend, reopen, response
progress) and HR's outbox (``search_outbox``: by survey and status, a page at a time), offered
here by name, and its parts:

- ``questionnaires``: the versioned instruments and their items;
- ``responses``: answering (my surveys, drafts, submitting exactly once, scoring);
- ``retention``: deleting free text once its retention period is over;
- ``texts``: what a survey says to its readers in their language, and its fallback rule;
- ``passes``: personal links and printed answer codes, what they open and why not.

``lifecycle`` and ``outbox_search`` are its internal modules."""

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
    reopen_survey,
    retry_emails,
    send_reminders,
    survey_progress,
    surveys_page,
    update_survey,
)
from cxculture.services.surveys.outbox_search import (
    OutboxFilter,
    OutboxSearch,
    OutboxStatus,
    outbox_status,
    outbox_surveys,
    search_outbox,
)

# The parts offered by name come last: they use the functions above.
from cxculture.services.surveys import (  # isort: skip
    passes,
    questionnaires,
    responses,
    retention,
    texts,
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
    "OutboxFilter",
    "OutboxSearch",
    "OutboxStatus",
    "outbox_status",
    "outbox_surveys",
    "search_outbox",
    "passes",
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
    "texts",
    "update_survey",
    "WrongState",
]
