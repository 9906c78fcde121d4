"""Personal links in survey emails. An invitation or reminder is queued with a slot where the
link goes (``LINK_SLOT``) and the invitation it belongs to; the link is made only as the email
leaves, so no outbox row (which HR can read) ever holds one.

The link's token is derived from the invitation's random seed with the application's secret
(HMAC-SHA256): the reminder carries the same link as the invitation, and the database alone
gives no working link. The token's hash, stored beside the seed, is how the link finds its
invitation (``services.surveys.passes``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app, url_for
from sqlalchemy import select, update

from cxculture.models import Invitation

LINK_SLOT = "[[personal-link]]"
LINK_BYTES = 18  # 144 bits: 24 URL-safe characters
LINK_ENDPOINT = "passes.link"


def derive(purpose: str, seed: str) -> bytes:
    """HMAC-SHA256 of ``seed`` for ``purpose`` under the application's secret."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"cxculture-{purpose}:{seed}".encode(), hashlib.sha256).digest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_token(seed: str) -> str:
    return base64.urlsafe_b64encode(derive("link", seed)[:LINK_BYTES]).decode()


def new_link_seed(invitation: Invitation) -> str:
    """Draw the invitation's link seed and store its token's hash (the caller commits)."""
    seed = secrets.token_hex(16)
    invitation.link_seed = seed
    invitation.link_hash = token_hash(link_token(seed))
    return seed


def link_tokens(session, invitation_ids: set[int]) -> dict[int, str]:
    """The link tokens of these invitations, seeds drawn where missing (the caller commits).

    A seed is drawn by a conditional update: of two deliveries at once, the second waits for the
    first's commit and takes its seed, so both send the same link."""
    if not invitation_ids:
        return {}
    query = select(Invitation.id, Invitation.link_seed).where(Invitation.id.in_(invitation_ids))
    missing = [id_ for id_, seed in session.execute(query) if seed is None]
    for id_ in missing:
        seed = secrets.token_hex(16)
        session.execute(
            update(Invitation)
            .where(Invitation.id == id_, Invitation.link_seed.is_(None))
            .values(link_seed=seed, link_hash=token_hash(link_token(seed)))
            .execution_options(synchronize_session=False)
        )
    if missing:
        session.commit()
    return {id_: link_token(seed) for id_, seed in session.execute(query) if seed is not None}


def link_pattern() -> tuple[str, str]:
    """(a personal link with a marker for the token, the marker): the URL is built once."""
    marker = "TOKEN-MARKER"
    with current_app.test_request_context(base_url=current_app.config["CX_BASE_URL"]):
        return url_for(LINK_ENDPOINT, token=marker, _external=True), marker
