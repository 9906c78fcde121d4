"""Each role's home page, answering "what now": what needs the reader first, each thing with
where it is done.

- ``hr_home``: surveys running or scheduled with their guarded response rates, the newest
  released results, training overdue, the roster's problems;
- ``head_home``: the head's departments in the newest released results with where to act, the
  modules assigned there that are still open and who is late with them;
- ``employee_home``: the surveys waiting for the person, their modules due, their own profile.

Figures drawn from answers come from the release layer only: results as released (a survey
that is open shows results only when HR chose live results before launch), response counts
through its guard. Training figures are those of the Team training page
(``assignments.completion``): assigned modules only, completed since the assignment or counted
by the person; heads see who is late by name there, and so here.

``attention``, ``figures``, ``hr``, ``heads`` and ``employees`` are its internal modules."""

from cxculture.services.results.homes.attention import ATTENTION_ORDER, Attention
from cxculture.services.results.homes.employees import EmployeeHome, Todo, employee_home
from cxculture.services.results.homes.figures import TrainingStatus, training_status
from cxculture.services.results.homes.heads import (
    DepartmentResult,
    Focus,
    HeadHome,
    HeadResults,
    HeadRunning,
    head_home,
)
from cxculture.services.results.homes.hr import (
    HrHome,
    LatestResults,
    RosterHealth,
    RunningSurvey,
    hr_home,
    latest_results,
    roster_health,
)

__all__ = [
    "ATTENTION_ORDER",
    "Attention",
    "DepartmentResult",
    "EmployeeHome",
    "Focus",
    "HeadHome",
    "HeadResults",
    "HeadRunning",
    "HrHome",
    "LatestResults",
    "RosterHealth",
    "RunningSurvey",
    "Todo",
    "TrainingStatus",
    "employee_home",
    "head_home",
    "hr_home",
    "latest_results",
    "roster_health",
    "training_status",
]
