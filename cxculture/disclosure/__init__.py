"""The release layer: everything derived from survey answers leaves the product through here.

Pages, charts, CSV/XLSX/PDF files, the API, the thank-you page, "where to act", training rules
and response rates all ask this package; none of them reads answers or computes group figures
itself. What it offers:

- ``release_of(survey, now, scope)``: every group as released now, or those of a ``Scope``
  (taking a snapshot when one is due), with ``answer_distributions``, ``statements`` and
  ``statements_page`` (free text), ``wave_change`` and ``company_trend`` drawn from the same
  released sums;
- ``response_rates(survey)`` and ``company_counts(surveys)``: invited and answered counts,
  through the same guard;
- ``where_to_act`` and ``drivers_of``: each dimension's weight on an outcome in a group, worked
  out from the responses the closing snapshot released, and the ranking built on them;
- ``personal_profile`` and the ``suggestions_*`` functions: what a person's own answers give back
  to that person, and to nobody else.

When results come out: while a survey is open, only response rates; at closing, everything the
guard lets through. A survey set to live results before launch is also released in snapshots
while open. Free text is never live. See the README's "Confidentiality" section.
"""

from cxculture.disclosure.counts import RateRow, ResponseRates, company_counts, response_rates
from cxculture.disclosure.drivers import ActOn, drivers_of, outcomes, where_to_act
from cxculture.disclosure.figures import (
    NOT_RELEASED,
    SUPPRESSED,
    AnswerDistributions,
    GroupResult,
)
from cxculture.disclosure.personal import (
    ProfileRow,
    my_suggestions,
    personal_profile,
    suggestions_for_invitation,
)
from cxculture.disclosure.release import (
    Release,
    Scope,
    TrendPoint,
    answer_distributions,
    company_trend,
    default_survey,
    previous_wave,
    release_of,
    result_surveys,
    scope_under,
    snapshots_taken,
    statements,
    statements_page,
    wave_change,
)
from cxculture.disclosure.texts import TextPage, keep_text_fingerprints

__all__ = [
    "ActOn",
    "NOT_RELEASED",
    "SUPPRESSED",
    "AnswerDistributions",
    "GroupResult",
    "ProfileRow",
    "RateRow",
    "Release",
    "ResponseRates",
    "Scope",
    "TextPage",
    "TrendPoint",
    "answer_distributions",
    "company_counts",
    "company_trend",
    "default_survey",
    "drivers_of",
    "keep_text_fingerprints",
    "my_suggestions",
    "outcomes",
    "personal_profile",
    "previous_wave",
    "release_of",
    "response_rates",
    "result_surveys",
    "scope_under",
    "snapshots_taken",
    "statements",
    "statements_page",
    "suggestions_for_invitation",
    "wave_change",
    "where_to_act",
]
