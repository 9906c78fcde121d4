"""Micro-training: the catalogue (loading and editing modules), taking a module (enrolling, the
knowledge check, the reflection), offered here by name, and ``assignments``: modules a head,
HR or a rule assigns to a department, completion, overdue reminders and HR's rules.

``catalogue`` is its internal module."""

from cxculture.services.training.catalogue import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    DEFAULT_PASS_MARK,
    MODULES,
    SLUG,
    ModuleError,
    QuestionResult,
    QuizIncomplete,
    QuizResult,
    catalogue,
    count_for_team,
    create_module,
    enrol_self,
    enrolment_of,
    get_module,
    get_module_by_id,
    load_modules,
    my_training,
    parse_module_file,
    parse_quiz,
    quiz_source,
    render_markdown,
    save_text,
    set_archived,
    submit_quiz,
    submit_reflection,
    titles,
)

# The parts offered by name come last: they use the functions above.
from cxculture.services.training import (  # isort: skip
    assignments,
)

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "assignments",
    "catalogue",
    "count_for_team",
    "create_module",
    "DEFAULT_PASS_MARK",
    "enrol_self",
    "enrolment_of",
    "get_module",
    "get_module_by_id",
    "load_modules",
    "ModuleError",
    "MODULES",
    "my_training",
    "parse_module_file",
    "parse_quiz",
    "QuestionResult",
    "quiz_source",
    "QuizIncomplete",
    "QuizResult",
    "render_markdown",
    "save_text",
    "set_archived",
    "SLUG",
    "submit_quiz",
    "submit_reflection",
    "titles",
]
