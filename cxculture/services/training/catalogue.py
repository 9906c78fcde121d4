"""Micro-training: loading the catalogue, enrolling, the knowledge check and the reflection.

What a person takes on their own is theirs alone; what a head, HR or a rule assigned is
followed by them (``services.assignments``). Modules suggested from a person's own answers are
worked out when shown (``disclosure.personal``), never stored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import frontmatter
import markdown
import nh3
import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from config import SUPPORTED_LOCALES
from cxculture.extensions import db
from cxculture.lexicons import lexicon_dir
from cxculture.models import Enrolment, Module, ModuleText, User
from cxculture.models.training import AUDIENCES, REFLECTION_KINDS
from cxculture.scoring import role_statement
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services import audit

MODULES = Path(__file__).resolve().parents[2] / "content" / "modules"
DEFAULT_PASS_MARK = 0.8
# What a module's Markdown may become: text structure, no scripts, styles or event handlers.
ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "blockquote",
    "code",
    "pre",
    "hr",
    "br",
    "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


class ModuleError(ValueError):
    """A module file or form that cannot be accepted."""


# Why a knowledge check is refused, as the command line says it (the module editor says it in
# the reader's language: catalogue.forms.QUIZ_PROBLEMS).
QUIZ_PROBLEMS = {
    "yaml": "not valid YAML",
    "shape": "expected pass_mark and questions",
    "count": "a knowledge check has 3 to 5 questions",
    "question": "question %(number)d needs options and a valid answer",
    "pass_mark": "the pass mark is a share between 0 and 1",
}


class QuizInvalid(ModuleError):
    """A knowledge check that cannot be accepted: ``problem`` (a key of QUIZ_PROBLEMS) says
    why, ``number`` which question when it is one."""

    def __init__(self, where: str, problem: str, number: int = 0):
        super().__init__(f"{where}: {QUIZ_PROBLEMS[problem] % {'number': number}}")
        self.problem = problem
        self.number = number


class QuizIncomplete(Exception):
    """Some questions were not answered, or answered with an unknown option."""

    def __init__(self, problems: dict[int, str]):
        super().__init__(problems)
        self.problems = problems  # question index -> "missing" or "unknown"


def render_markdown(source: str) -> str:
    """Markdown to HTML with every tag, attribute and URL scheme outside the safe list removed."""
    html = markdown.markdown(source, extensions=["sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def _quiz(raw: dict, where: str) -> tuple[list[dict], float]:
    questions = raw.get("questions") or []
    if not 3 <= len(questions) <= 5:
        raise QuizInvalid(where, "count")
    checked = []
    for number, question in enumerate(questions, start=1):
        options = [str(option) for option in question.get("options") or []]
        answer = question.get("answer")
        if len(options) < 2 or not isinstance(answer, int) or not 0 <= answer < len(options):
            raise QuizInvalid(where, "question", number)
        checked.append(
            {
                "question": str(question["question"]),
                "options": options,
                "answer": answer,
                "explanation": str(question.get("explanation") or ""),
            }
        )
    pass_mark = float(raw.get("pass_mark", DEFAULT_PASS_MARK))
    if not 0 < pass_mark <= 1:
        raise QuizInvalid(where, "pass_mark")
    return checked, pass_mark


def parse_module_file(path: Path) -> tuple[dict, ModuleText]:
    """The module-level fields and the text of one ``<slug>/<locale>.md`` file."""
    post = frontmatter.load(path)
    # The front matter as YAML gives it (python-frontmatter types its values as object): any
    # value, checked below.
    front: dict[str, Any] = post.metadata
    where = f"{path.parent.name}/{path.name}"
    locale = str(front.get("language") or path.stem)
    if locale not in SUPPORTED_LOCALES:
        raise ModuleError(f"{where}: unknown language {locale!r}")
    dimensions = list(front.get("dimensions") or [])
    if not dimensions or any(d not in DIMENSIONS for d in dimensions):
        raise ModuleError(f"{where}: dimensions must be among {', '.join(DIMENSIONS)}")
    reflection = str(front.get("reflection") or "free")
    if reflection not in REFLECTION_KINDS:
        raise ModuleError(f"{where}: reflection is role_statement or free")
    audience = str(front.get("audience") or "everyone")
    if audience not in AUDIENCES:
        raise ModuleError(f"{where}: audience is everyone or heads")
    quiz, pass_mark = _quiz(front.get("quiz") or {}, where)
    text = ModuleText(
        locale=locale,
        title=str(front["title"]),
        body_markdown=post.content,
        body_html=render_markdown(post.content),
        reflection_prompt=str(front.get("reflection_prompt") or ""),
        quiz=quiz,
        pass_mark=pass_mark,
    )
    fields = {
        "dimensions": dimensions,
        "minutes": int(front.get("minutes") or 5),
        "reflection_kind": reflection,
        "audience": audience,
    }
    return fields, text


def load_modules(folder: Path = MODULES) -> tuple[int, int]:
    """Add the modules of ``folder`` (one sub-folder per module) that are not there yet, and
    their missing languages; (modules created, texts created). Existing texts are kept: HR may
    have edited them."""
    created_modules = created_texts = 0
    for module_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        module = db.session.execute(
            select(Module).where(Module.slug == module_dir.name)
        ).scalar_one_or_none()
        for path in sorted(module_dir.glob("*.md")):
            fields, text = parse_module_file(path)
            if module is None:
                module = Module(slug=module_dir.name, **fields)
                db.session.add(module)
                created_modules += 1
            if text.locale not in {existing.locale for existing in module.translations}:
                module.translations.append(text)
                created_texts += 1
    db.session.commit()
    return created_modules, created_texts


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def create_module(
    actor: User,
    slug: str,
    dimensions: list[str],
    minutes: int,
    reflection_kind: str,
    audience: str = "everyone",
) -> Module:
    """A new module without text yet; HR writes it language by language."""
    if not SLUG.match(slug) or get_module(slug) is not None:
        raise ModuleError("slug")
    if not dimensions or any(d not in DIMENSIONS for d in dimensions):
        raise ModuleError("dimensions")
    if reflection_kind not in REFLECTION_KINDS or audience not in AUDIENCES:
        raise ModuleError("settings")
    if not 1 <= minutes <= 30:
        raise ModuleError("settings")
    module = Module(
        slug=slug,
        dimensions=dimensions,
        minutes=minutes,
        reflection_kind=reflection_kind,
        audience=audience,
    )
    db.session.add(module)
    db.session.flush()
    audit.record(actor, "training.module_created", "module", module.id, slug=slug)
    db.session.commit()
    return module


def parse_quiz(source: str) -> tuple[list[dict], float]:
    """The knowledge check written as YAML (``pass_mark`` and ``questions``), checked."""
    try:
        raw = yaml.safe_load(source) or {}
    except yaml.YAMLError:
        raise QuizInvalid("quiz", "yaml") from None
    if not isinstance(raw, dict):
        raise QuizInvalid("quiz", "shape")
    return _quiz(raw, "quiz")


def quiz_source(text: ModuleText) -> str:
    """The knowledge check as the YAML HR edits."""
    return yaml.safe_dump(
        {"pass_mark": text.pass_mark, "questions": text.quiz},
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )


def save_text(
    actor: User,
    module: Module,
    locale: str,
    title: str,
    body_markdown: str,
    reflection_prompt: str,
    quiz_yaml: str,
) -> ModuleText:
    """Write or translate the module in ``locale``; the HTML is rendered and sanitised here."""
    if locale not in SUPPORTED_LOCALES:
        raise ModuleError("locale")
    quiz, pass_mark = parse_quiz(quiz_yaml)
    text = next((t for t in module.translations if t.locale == locale), None)
    if text is None:
        text = ModuleText(locale=locale)
        module.translations.append(text)
    text.title = title.strip()
    text.body_markdown = body_markdown
    text.body_html = render_markdown(body_markdown)
    text.reflection_prompt = reflection_prompt.strip()
    text.quiz = quiz
    text.pass_mark = pass_mark
    audit.record(actor, "training.module_edited", "module", module.id, locale=locale)
    db.session.commit()
    return text


def set_archived(actor: User, module: Module, archived: bool, now: datetime) -> bool:
    """Archive a module (no new enrolments; records stay readable) or bring it back; whether
    it changed (archiving an archived module, a double submit, changes nothing)."""
    if (module.archived_at is not None) == archived:
        return False
    module.archived_at = now if archived else None
    action = "training.module_archived" if archived else "training.module_restored"
    audit.record(actor, action, "module", module.id)
    db.session.commit()
    return True


def catalogue(include_archived: bool = False, include_unwritten: bool = False) -> list[Module]:
    """Every module, with its texts, by slug. A module HR created but has not written a text
    for yet has nothing to read or take: only HR's own list asks for it."""
    query = select(Module).options(selectinload(Module.translations)).order_by(Module.slug)
    if not include_archived:
        query = query.where(Module.archived_at.is_(None))
    if not include_unwritten:
        query = query.where(Module.translations.any())
    return list(db.session.execute(query).scalars())


def get_module(slug: str) -> Module | None:
    return db.session.execute(select(Module).where(Module.slug == slug)).scalar_one_or_none()


def get_module_by_id(module_id: int) -> Module | None:
    return db.session.get(Module, module_id)


def titles(locale: str) -> dict[int, str]:
    """Every module's title in ``locale`` (its slug while it has no text), by id."""
    return {
        module.id: text.title if (text := module.text_in(locale)) else module.slug
        for module in catalogue(include_archived=True, include_unwritten=True)
    }


def enrolment_of(user: User, module: Module) -> Enrolment | None:
    return db.session.execute(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.module_id == module.id)
    ).scalar_one_or_none()


def _enrol(user: User, module: Module, source: str, due_on: date | None = None) -> Enrolment:
    """The person's enrolment in ``module``, created when missing (the caller commits)."""
    enrolment = enrolment_of(user, module)
    if enrolment is None:
        enrolment = Enrolment(user_id=user.id, module_id=module.id, source=source, due_on=due_on)
        db.session.add(enrolment)
        db.session.flush()
    return enrolment


def enrol_self(user: User, module: Module) -> Enrolment:
    """Anyone can take any module that is not archived and has a text."""
    if module.archived_at is not None:
        raise ModuleError("archived")
    if not module.translations:
        raise ModuleError("unwritten")
    enrolment = _enrol(user, module, "self")
    db.session.commit()
    return enrolment


@dataclass(frozen=True)
class QuestionResult:
    question: str
    chosen: int
    correct: int
    explanation: str

    @property
    def is_correct(self) -> bool:
        return self.chosen == self.correct


@dataclass(frozen=True)
class QuizResult:
    score: float
    passed: bool
    pass_mark: float
    questions: list[QuestionResult]


def submit_quiz(enrolment: Enrolment, text: ModuleText, answers: dict[int, int], now: datetime):
    """Grade the knowledge check; any number of retries, the best score is kept."""
    problems = {}
    for number, question in enumerate(text.quiz):
        chosen = answers.get(number)
        if chosen is None:
            problems[number] = "missing"
        elif not 0 <= chosen < len(question["options"]):
            problems[number] = "unknown"
    unknown = [number for number in answers if not 0 <= number < len(text.quiz)]
    for number in unknown:
        problems[number] = "unknown"
    if problems:
        raise QuizIncomplete(problems)
    results = [
        QuestionResult(q["question"], answers[n], q["answer"], q["explanation"])
        for n, q in enumerate(text.quiz)
    ]
    score = sum(result.is_correct for result in results) / len(results)
    passed = score >= text.pass_mark
    enrolment.quiz_attempts += 1
    enrolment.best_score = max(enrolment.best_score or 0.0, score)
    if passed and enrolment.quiz_passed_at is None:
        enrolment.quiz_passed_at = now
    db.session.commit()
    return QuizResult(score, passed, text.pass_mark, results)


def submit_reflection(enrolment: Enrolment, reflection: str, now: datetime) -> Enrolment:
    """Keep the reflection and complete the module (once the quiz is passed). For line-of-sight
    modules the reflection is the role-statement test again, and its category is stored."""
    if enrolment.quiz_passed_at is None:
        raise QuizIncomplete({})
    if enrolment.is_completed:
        return enrolment  # completing twice changes nothing
    enrolment.reflection = reflection.strip()
    if enrolment.module.reflection_kind == "role_statement":
        result = role_statement.classify(enrolment.reflection, None, lexicon_dir())
        enrolment.reflection_category = result.category
    enrolment.completed_at = now
    db.session.commit()
    return enrolment


def my_training(user: User) -> list[Enrolment]:
    """The person's modules: unfinished first (soonest due first), then completed."""
    enrolments = db.session.execute(
        select(Enrolment)
        .where(Enrolment.user_id == user.id)
        .options(selectinload(Enrolment.module).selectinload(Module.translations))
    ).scalars()
    return sorted(
        enrolments,
        key=lambda e: (e.is_completed, e.due_on or date.max, e.created_at),
    )


def count_for_team(enrolment: Enrolment, now: datetime) -> bool:
    """The person shares a module they had completed on their own before it was assigned: from
    now on it counts as completed for the assignment. Nothing is shared until they do."""
    if not enrolment.is_completed_before_assignment:
        return False
    enrolment.completed_at = now
    db.session.commit()
    return True
