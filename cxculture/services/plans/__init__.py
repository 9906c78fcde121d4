"""Focus plans: after a wave, a head (or HR) picks one to three dimensions for a department and
writes the actions that work on them; shared plans show on the department's employees' homes.

- ``editing``: creating, sharing and closing plans, adding, updating, editing and removing
  actions, who may;
- ``reading``: the plans a person may see with their progress, and a shared plan's readers;
- ``changes``: each focus dimension's released score at the plan's wave and the latest later
  one (from the release layer only);
- ``reminders``: one email a day to each owner of overdue actions.
"""

from cxculture.services.plans.editing import (
    ActionError,
    DueDateInPast,
    NotYourDepartment,
    PlanClosed,
    PlanError,
    add_action,
    close_plan,
    create_plan,
    edit_action,
    edit_plan,
    owner_choices,
    remove_action,
    share_plan,
    update_action,
)
from cxculture.services.plans.reading import (
    PlanRow,
    get_plan,
    plan_rows,
    shared_plans_for,
)

# The parts offered by name come last: they use the functions above.
from cxculture.services.plans import changes, reminders  # isort: skip

__all__ = [
    "ActionError",
    "DueDateInPast",
    "NotYourDepartment",
    "PlanClosed",
    "PlanError",
    "PlanRow",
    "add_action",
    "changes",
    "close_plan",
    "create_plan",
    "edit_action",
    "edit_plan",
    "get_plan",
    "owner_choices",
    "plan_rows",
    "reminders",
    "remove_action",
    "share_plan",
    "shared_plans_for",
    "update_action",
]
