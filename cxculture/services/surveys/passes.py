"""Passes into one survey without a password: the personal link of an invitation email, and the
answer code printed on a card for people without a mailbox.

A pass opens one invitation's answer form and nothing else: it signs nobody into the product.
Neither token is stored. Each invitation keeps a random seed per kind; the token is derived
from the seed with the application's secret (HMAC-SHA256), so the reminder carries the same
link as the invitation and a reprinted card the same code, while the database alone (a backup,
a reader of the outbox) gives no working token. The token's SHA-256 hash, stored beside the
seed, is how a link or code finds its invitation. A new link or new cards draw a new seed; the
old hash is kept in ``RevokedPass`` so its holder is told it was replaced.

Codes are typed with the employee number: the hash covers both, so a wrong number and a wrong
code look the same, and no answer tells whether somebody else's code exists.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from cxculture.extensions import db
from cxculture.models import Department, Invitation, RevokedPass, Survey, SurveyState, User
from cxculture.models.org import below_condition
from cxculture.services import audit, mail
from cxculture.services.mail.links import derive, link_token, new_link_seed, token_hash

LINK_PATTERN = re.compile(r"[A-Za-z0-9_-]{24}")
# Crockford's base32: no I, L, O or U, so a printed code is not misread; 10 characters (50
# bits), typed with the employee number and rate limited per code and per address.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
_CODE_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


class PassKind(StrEnum):
    LINK = "link"
    CODE = "code"


class PassProblem(StrEnum):
    """Why a link or code opens nothing; each has its own page, in the holder's language."""

    MALFORMED = "malformed"  # not the shape of a link or code at all
    UNKNOWN = "unknown"  # well formed, but opens nothing (typo, or another person's number)
    REVOKED = "revoked"  # replaced by a newer link or card, or the person left the survey
    USED = "used"  # the survey was answered already
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"


class PassRefused(Exception):
    def __init__(
        self, problem: PassProblem, survey: Survey | None = None, locale: str | None = None
    ):
        super().__init__(problem)
        self.problem = problem
        # Set once the link or code was found to be the holder's: which survey, their language.
        self.survey = survey
        self.locale = locale


def code_from_seed(seed: str) -> str:
    number = int.from_bytes(derive("code", seed)[:8])
    return "".join(CODE_ALPHABET[(number >> (5 * i)) & 31] for i in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """A typed code in canonical form: spaces and dashes dropped, upper case, look-alikes read
    as Crockford reads them (O is 0, I and L are 1)."""
    return re.sub(r"[\s-]+", "", typed).upper().translate(_CODE_MISREAD)


def normalise_number(typed: str | None) -> str:
    return (typed or "").strip().casefold()


def code_hash(employee_number: str | None, code: str) -> str:
    return token_hash(f"code:{normalise_number(employee_number)}:{normalise_code(code)}")


def printed_code(code: str) -> str:
    """A code as printed: two groups of five."""
    return f"{code[:5]}-{code[5:]}"


def link_for(invitation: Invitation) -> str:
    """The invitation's personal link token, drawing its seed on first use (the caller commits)."""
    return link_token(invitation.link_seed or new_link_seed(invitation))


def code_for(invitation: Invitation) -> str:
    """The invitation's answer code, drawing its seed on first use (the caller commits). The
    hash covers the employee number as the roster holds it now."""
    code = code_from_seed(invitation.code_seed or _new_seed(invitation, PassKind.CODE))
    # The number may have changed since the seed was drawn: the card printed now must work.
    number = invitation.user.employee_number if invitation.user else None
    invitation.code_hash = code_hash(number, code)
    return code


def _new_seed(invitation: Invitation, kind: PassKind) -> str:
    if kind is PassKind.LINK:
        return new_link_seed(invitation)
    seed = secrets.token_hex(16)
    number = invitation.user.employee_number if invitation.user else None
    invitation.code_seed = seed
    invitation.code_hash = code_hash(number, code_from_seed(seed))
    return seed


def renew(invitation: Invitation, kind: PassKind, now: datetime) -> None:
    """Replace the invitation's link or code: the old one opens nothing and says it was replaced
    (the caller commits)."""
    old = invitation.link_hash if kind is PassKind.LINK else invitation.code_hash
    if old is not None:
        db.session.add(
            RevokedPass(token_hash=old, kind=kind, survey_id=invitation.survey_id, revoked_at=now)
        )
    _new_seed(invitation, kind)


@dataclass(frozen=True)
class Pass:
    """What a pass-holder's browser keeps in its session: which invitation, through which kind
    of pass, and the hash it was opened with (a pass dies when its link or code is replaced)."""

    invitation_id: int
    kind: PassKind
    token_hash: str

    def as_session(self) -> dict[str, str | int]:
        return {"invitation": self.invitation_id, "kind": str(self.kind), "hash": self.token_hash}

    @classmethod
    def from_session(cls, stored: object) -> Pass | None:
        if not isinstance(stored, dict):
            return None
        try:
            return cls(int(stored["invitation"]), PassKind(stored["kind"]), str(stored["hash"]))
        except (KeyError, TypeError, ValueError):
            return None


def _by_hash(kind: PassKind, hashed: str) -> Invitation | None:
    column = Invitation.link_hash if kind is PassKind.LINK else Invitation.code_hash
    return db.session.execute(
        select(Invitation)
        .where(column == hashed)
        .options(joinedload(Invitation.survey), joinedload(Invitation.user))
    ).scalar_one_or_none()


def _check(invitation: Invitation | None, kind: PassKind, hashed: str, now: datetime):
    if invitation is None:
        revoked = db.session.get(RevokedPass, hashed)
        if revoked is not None and revoked.kind == kind:
            raise PassRefused(PassProblem.REVOKED)
        raise PassRefused(PassProblem.UNKNOWN)
    survey = invitation.survey
    user: User | None = invitation.user
    if invitation.withdrawn_at is not None or user is None or not user.is_active:
        raise PassRefused(PassProblem.REVOKED)
    if invitation.has_submitted:
        raise PassRefused(PassProblem.USED, survey, user.locale)
    state = survey.state(now)
    if state is SurveyState.CLOSED:
        raise PassRefused(PassProblem.CLOSED, survey, user.locale)
    if state is not SurveyState.OPEN:
        raise PassRefused(PassProblem.NOT_YET_OPEN, survey, user.locale)
    return invitation


def open_link(token: str, now: datetime) -> tuple[Invitation, Pass]:
    """The invitation a personal link opens, and the pass to keep; PassRefused says why not."""
    if not LINK_PATTERN.fullmatch(token):
        raise PassRefused(PassProblem.MALFORMED)
    hashed = token_hash(token)
    invitation = _check(_by_hash(PassKind.LINK, hashed), PassKind.LINK, hashed, now)
    return invitation, Pass(invitation.id, PassKind.LINK, hashed)


def open_code(employee_number: str, code: str, now: datetime) -> tuple[Invitation, Pass]:
    """The invitation an employee number and answer code open, and the pass to keep."""
    typed = normalise_code(code)
    if len(typed) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in typed):
        raise PassRefused(PassProblem.MALFORMED)
    hashed = code_hash(employee_number, typed)
    invitation = _check(_by_hash(PassKind.CODE, hashed), PassKind.CODE, hashed, now)
    return invitation, Pass(invitation.id, PassKind.CODE, hashed)


def invitation_for_pass(held: Pass, now: datetime) -> Invitation:
    """The invitation a pass kept in the session still opens (PassRefused otherwise): checked on
    every request, so a link replaced or a person who left loses the form at once."""
    invitation = _by_hash(held.kind, held.token_hash)
    if invitation is not None and invitation.id != held.invitation_id:
        invitation = None
    return _check(invitation, held.kind, held.token_hash, now)


def invitation_of(held: Pass) -> Invitation | None:
    """The invitation a pass names, whatever its state (the thank-you page after answering)."""
    invitation = _by_hash(held.kind, held.token_hash)
    return invitation if invitation is not None and invitation.id == held.invitation_id else None


def note_code_attempts_limited(scope: str, address: str | None) -> None:
    """Audit that failed code entries reached a limit (per code, or per address), and commit."""
    if address is None:
        audit.record(None, "survey.code_attempts_limited", "code_page", 0, limit=scope)
    else:
        audit.record(
            None, "survey.code_attempts_limited", "code_page", 0, limit=scope, address=address
        )
    db.session.commit()


class PassesError(Exception):
    """HR's request about links or codes cannot be carried out; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CardHolder:
    """One printed card: whose it is and their code (the caller translates the rest)."""

    name: str
    employee_number: str | None
    locale: str | None
    department_path: str | None
    code: str


def _check_running(survey: Survey, now: datetime) -> None:
    if survey.state(now) not in (SurveyState.SCHEDULED, SurveyState.OPEN):
        raise PassesError("not_running")


def print_cards(
    survey: Survey,
    department: Department | None,
    *,
    without_email_only: bool,
    renew_codes: bool,
    actor: User,
    now: datetime,
) -> list[CardHolder]:
    """The answer codes of the survey's invited people in ``department`` and below (None: all),
    by name; ``renew_codes`` replaces every earlier card of theirs. Everyone invited gets a card,
    answered or not (a card missing would tell who has answered); audited and committed."""
    _check_running(survey, now)
    query = (
        select(Invitation)
        .join(User, User.id == Invitation.user_id)
        .where(
            Invitation.survey_id == survey.id,
            Invitation.withdrawn_at.is_(None),
            User.is_active.is_(True),
        )
        .options(joinedload(Invitation.user))
        .order_by(User.name, User.id)
    )
    if department is not None:
        query = query.where(Invitation.department_path.is_not(None)).where(
            or_(
                Invitation.department_path == department.path,
                below_condition(Invitation.department_path, department.path),
            )
        )
    if without_email_only:
        query = query.where(User.email.is_(None))
    holders = []
    for invitation in db.session.execute(query).scalars():
        if renew_codes and invitation.code_seed is not None:
            renew(invitation, PassKind.CODE, now)
        user = invitation.user
        if user is None:  # joined above: never
            continue
        holders.append(
            CardHolder(
                user.name,
                user.employee_number,
                user.locale,
                invitation.department_path,
                code_for(invitation),
            )
        )
    audit.record(
        actor,
        "survey.codes_printed",
        "survey",
        survey.id,
        department=department.path if department else None,
        people=len(holders),
        renewed=renew_codes,
    )
    db.session.commit()
    return holders


def send_link_again(survey: Survey, person: User, actor: User, now: datetime) -> None:
    """Replace ``person``'s personal link to ``survey`` and email them the new one; the old one
    says it was replaced. The same whether or not they have answered (HR is never told)."""
    _check_running(survey, now)
    if person.email is None:
        raise PassesError("no_email")
    invitation = db.session.execute(
        select(Invitation).where(
            Invitation.survey_id == survey.id,
            Invitation.user_id == person.id,
            Invitation.withdrawn_at.is_(None),
        )
    ).scalar_one_or_none()
    if invitation is None or not person.is_active:
        raise PassesError("not_invited")
    renew(invitation, PassKind.LINK, now)
    db.session.flush()
    mail.queue_survey_emails("invitation", survey, Invitation.id == invitation.id)
    audit.record(actor, "survey.link_sent_again", "survey", survey.id, person=person.id)
    db.session.commit()


def find_person(who: str) -> User | None:
    """The person HR means by an email address or an employee number (exact, case-insensitive)."""
    typed = who.strip()
    if not typed:
        return None
    return (
        db.session.execute(
            select(User).where(
                or_(
                    func.lower(User.email) == typed.lower(),
                    func.lower(User.employee_number) == typed.lower(),
                )
            )
        )
        .scalars()
        .first()
    )
