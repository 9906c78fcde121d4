"""Email: queue it with the change that causes it, and it is delivered after the commit.

- ``outbox``: ``queue_survey_emails``, ``queue_messages``, ``queue_message``, ``render_email`` (a
  template of ``templates/email`` in a language) and ``absolute_url`` (links in emails);
- ``links``: personal survey links, a slot in the outbox filled only as the email leaves;
- ``delivery``: the one place where delivery starts (right after the commit that queued), and
  ``deliver_pending`` for the workers and the ``send-emails`` command.
"""

from cxculture.services.mail.delivery import (
    DeliveryReport,
    deliver_pending,
    note_queued,
    pending_query,
    queue,
)
from cxculture.services.mail.links import LINK_SLOT, token_hash
from cxculture.services.mail.outbox import (
    absolute_url,
    queue_message,
    queue_messages,
    queue_survey_emails,
    render_email,
)

__all__ = [
    "LINK_SLOT",
    "token_hash",
    "DeliveryReport",
    "absolute_url",
    "deliver_pending",
    "note_queued",
    "pending_query",
    "queue",
    "queue_message",
    "queue_messages",
    "queue_survey_emails",
    "render_email",
]
