"""Comment themes: what a comment or role statement is about, and whether it speaks well or ill
of it.

``classify_comment(text)`` finds the themes of a text (processes, tools, training...), each with
a sentiment of -1, 0 or +1, and the language it read the text in. The themes, their labels and
their cue words live in data files (``cxculture/content/themes/<lang>.yaml``); a company adds
its own in a folder of the same shape (``themes_dir``). Words, language detection and negation
come from the role-statement test (``cxculture.scoring.role_statement``), so a text is read the
same way by both.

A text in a language the themes do not cover is not classified (``lang`` is None), never
guessed: it must show words of en, pt or es, and fewer words of the languages listed in
``unsupported.yaml`` (French, Italian, German...) than of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from cxculture.scoring.role_statement import (
    LANGUAGES,
    NEGATION_REACH,
    detect_language,
    lexicon,
    tokenize,
)

THEMES = Path(__file__).resolve().parent.parent / "content" / "themes"
UNSUPPORTED = "unsupported.yaml"
SENTIMENTS = ("positive", "negative", "neutral")
# "neutral" phrases are part of the job, not a judgement ("solve problems"): found so that
# their words count for neither side.
POLARITY = {"positive": 1, "negative": -1, "neutral": 0}
STEM = "*"  # a cue word ending in it matches every word it begins

Word = tuple[str, bool]  # a cue's word, and whether it is a stem
Cue = tuple[Word, ...]


@dataclass(frozen=True)
class ThemeFound:
    """A theme of a text, the sentiment the text shows about it, and the words that named it."""

    theme: str
    sentiment: int  # -1 ill, 0 neither or both, +1 well
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Themes:
    """The themes of one text, and the language it was read in (None: not classified)."""

    lang: str | None
    found: tuple[ThemeFound, ...] = ()

    @property
    def is_classified(self) -> bool:
        return self.lang is not None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(item.theme for item in self.found)


@dataclass(frozen=True)
class _Match:
    kind: str
    first: int  # token indexes, end exclusive
    last: int


def _cue(phrase: str) -> Cue:
    """ "red tape", "train*": the words of a cue, each marked when it is a stem."""
    words: list[Word] = []
    for part in phrase.split():
        is_stem = part.endswith(STEM)
        found = [token.text for token in tokenize(part.rstrip(STEM))]
        words += [(word, False) for word in found[:-1]]
        if found:
            words.append((found[-1], is_stem))
    return tuple(words)


def _word_matches(word: Word, token: str) -> bool:
    text, is_stem = word
    if is_stem:
        return token.startswith(text)
    return token in (text, text + "s", text + "es")


class _Phrases:
    """Cues of several kinds, found in a text longest first without overlapping."""

    def __init__(self, cues: Mapping[str, Iterable[str]]):
        self._by_start: dict[str, list[tuple[str, Cue]]] = defaultdict(list)
        for kind, phrases in cues.items():
            for cue in {_cue(phrase) for phrase in phrases}:
                if cue:
                    self._by_start[cue[0][0][:3]].append((kind, cue))
        for candidates in self._by_start.values():
            candidates.sort(key=lambda pair: (-len(pair[1]), pair[0]))

    def find(self, words: list[str]) -> list[_Match]:
        found: list[_Match] = []
        index = 0
        while index < len(words):
            for kind, cue in self._by_start.get(words[index][:3], ()):
                end = index + len(cue)
                if end <= len(words) and all(
                    _word_matches(word, token)
                    for word, token in zip(cue, words[index:end], strict=True)
                ):
                    found.append(_Match(kind, index, end))
                    index = end
                    break
            else:
                index += 1
        return found


@dataclass
class _Theme:
    label: str | None
    cues: list[str]


class Taxonomy:
    """The themes of one language: labels, cues, and the words of sentiment."""

    def __init__(self, lang: str, themes: dict[str, _Theme], sentiment: dict[str, list[str]]):
        self.lang = lang
        self.order = list(themes)
        self.labels = {key: theme.label or key for key, theme in themes.items()}
        self._themes = {key: _Phrases({key: theme.cues}) for key, theme in themes.items()}
        self._sentiment = _Phrases({kind: sentiment.get(kind, []) for kind in SENTIMENTS})

    @classmethod
    def load(cls, lang: str, extra_dir: Path | None = None) -> Taxonomy:
        """The shipped themes of ``lang``, with the company's additions from ``extra_dir``:
        new themes, more cues for a shipped theme, another label, more words of sentiment."""
        themes, sentiment = _read(THEMES / f"{lang}.yaml")
        if extra_dir is not None and (extra_dir / f"{lang}.yaml").exists():
            more_themes, more_sentiment = _read(extra_dir / f"{lang}.yaml")
            for key, theme in more_themes.items():
                mine = themes.setdefault(key, _Theme(None, []))
                mine.cues += theme.cues
                mine.label = theme.label or mine.label
            for kind, words in more_sentiment.items():
                sentiment[kind] = sentiment.get(kind, []) + words
        return cls(lang, themes, sentiment)

    def themes_in(self, words: list[str]) -> list[_Match]:
        return [match for key in self.order for match in self._themes[key].find(words)]

    def sentiment_in(self, words: list[str]) -> list[_Match]:
        return self._sentiment.find(words)


def _yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        # BaseLoader keeps every word a string ("no", "on" stay words, not booleans).
        # S506 is safe here: BaseLoader resolves no tags, so it builds strings, lists and dicts.
        data = yaml.load(handle, Loader=yaml.BaseLoader) or {}  # noqa: S506
    return data if isinstance(data, dict) else {}


def _read(path: Path) -> tuple[dict[str, _Theme], dict[str, list[str]]]:
    data = _yaml(path)
    themes: dict[str, _Theme] = {}
    for key, theme in (data.get("themes") or {}).items():
        theme = theme or {}
        label = theme.get("label")
        themes[str(key)] = _Theme(
            str(label) if label else None, [str(cue) for cue in theme.get("cues") or []]
        )
    sentiment = {
        kind: [str(word) for word in (data.get("sentiment") or {}).get(kind) or []]
        for kind in SENTIMENTS
    }
    return themes, sentiment


@cache
def taxonomy(lang: str, extra_dir: Path | None = None) -> Taxonomy:
    """The themes of ``lang``, read once."""
    return Taxonomy.load(lang, extra_dir)


@cache
def _unsupported_words(extra_dir: Path | None = None) -> frozenset[str]:
    """Frequent words of languages the themes do not cover (and that en, pt, es never use)."""
    words: set[str] = set()
    for folder in (THEMES, extra_dir):
        if folder is None or not (folder / UNSUPPORTED).exists():
            continue
        for values in _yaml(folder / UNSUPPORTED).values():
            words.update(token.text for value in values or [] for token in tokenize(str(value)))
    return frozenset(words)


def labels(lang: str | None, extra_dir: Path | None = None) -> dict[str, str]:
    """Every theme's label in ``lang`` (a theme a language file lacks keeps its English one),
    in the order the English file lists them."""
    english = taxonomy("en", extra_dir)
    found = dict(english.labels)
    for key in taxonomy(lang, extra_dir).order if lang in LANGUAGES else ():
        found[key] = taxonomy(lang, extra_dir).labels[key]
    return found


def _language(
    words: list[str], text: str, themes_dir: Path | None, lexicon_dir: Path | None
) -> str | None:
    """The covered language the text is written in, or None when it is in another one (or
    shows too few words of any to tell)."""
    common = {lang: lexicon(lang, lexicon_dir).words("stopwords") for lang in LANGUAGES}
    hits = {lang: sum(word in common[lang] for word in words) for lang in LANGUAGES}
    # Theme and sentiment words count too: a short comment may hold one or two frequent words
    # of the wrong language ("We lack basic equipment: headsets, a second screen").
    known = {
        lang: hits[lang]
        + len(taxonomy(lang, themes_dir).themes_in(words))
        + len(taxonomy(lang, themes_dir).sentiment_in(words))
        for lang in LANGUAGES
    }
    lang: str | None = detect_language(text, lexicon_dir)
    best = max(known.values())
    leaders = [other for other in LANGUAGES if known[other] == best]
    if not any(hits.values()) or (lang not in leaders and len(leaders) == 1):
        # No frequent word of any ("Great training!"), or another language's words outnumber
        # those of the one detected: only a clear leader is taken.
        lang = leaders[0] if best and len(leaders) == 1 else None
    if lang is None:
        return None
    foreign = sum(
        word in _unsupported_words(themes_dir) and word not in common[lang] for word in words
    )
    return None if foreign and foreign >= hits[lang] else lang


# A released group's texts never change, and its results page is read again and again: each
# text is classified once per process (the result is immutable).
CLASSIFIED_TEXTS_KEPT = 100_000


@lru_cache(maxsize=CLASSIFIED_TEXTS_KEPT)
def classify_comment(
    text: str, themes_dir: Path | None = None, lexicon_dir: Path | None = None
) -> Themes:
    """The themes of a free-text answer, each with its sentiment, and the language read."""
    words = [token.text for token in tokenize(text)]
    lang = _language(words, text, themes_dir, lexicon_dir)
    if lang is None:
        return Themes(None)
    reading = _Reading(text, taxonomy(lang, themes_dir), lang, lexicon_dir)
    return Themes(lang, reading.themes())


class _Reading:
    """One text in one language: its theme cues, sentiment cues, negations and clauses."""

    def __init__(self, text: str, themes: Taxonomy, lang: str, lexicon_dir: Path | None):
        self.text = text
        self.tokens = tokens = tokenize(text)
        words = [token.text for token in tokens]
        self.taxonomy = themes
        self.mentions = themes.themes_in(words)
        self.feelings = themes.sentiment_in(words)
        lex = lexicon(lang, lexicon_dir)
        excepted = {
            i for m in lex.find("negation_exception", tokens) for i in range(m.first, m.last)
        }
        # A word inside a cue ("not enough", "no time") is part of the cue, not a negation.
        taken = {i for m in self.mentions + self.feelings for i in range(m.first, m.last)}
        self.negations = [
            m for m in lex.find("negation", tokens) if not ({m.first} & (excepted | taken))
        ]
        breaks = {m.first for m in lex.find("clause_break", tokens)}
        # Segments: sentences cut at contrast words ("but", "mas", "pero"); clauses: segments
        # also cut at commas and colons.
        self.segment: list[int] = []
        self.clause: list[int] = []
        segment = clause = 0
        for index, token in enumerate(tokens):
            if index and (token.sentence != tokens[index - 1].sentence or index in breaks):
                segment += 1
                clause += 1
            elif index and token.clause != tokens[index - 1].clause:
                clause += 1
            self.segment.append(segment)
            self.clause.append(clause)

    def is_negated(self, match: _Match, *, after: bool = False) -> bool:
        """A negation shortly before ``match`` in its clause (or after it, when ``after``)."""
        return any(
            self.clause[negation.first] == self.clause[match.first]
            and (
                0 <= match.first - negation.last <= NEGATION_REACH
                or (after and 0 <= negation.first - match.last <= NEGATION_REACH)
            )
            for negation in self.negations
        )

    def polarity(self, feeling: _Match) -> int:
        sign = POLARITY[feeling.kind]
        return -sign if self.is_negated(feeling) else sign

    def targets(self, feeling: _Match) -> list[_Match]:
        """The theme mentions a sentiment word speaks of: those in its clause, else the
        nearest in its segment, else the only theme of the text."""
        same_clause = [
            m for m in self.mentions if self.clause[m.first] == self.clause[feeling.first]
        ]
        if same_clause:
            return same_clause
        same_segment = [
            m for m in self.mentions if self.segment[m.first] == self.segment[feeling.first]
        ]
        if same_segment:
            return [min(same_segment, key=lambda m: self._distance(m, feeling))]
        if len({m.kind for m in self.mentions}) == 1:
            return list(self.mentions)
        return []

    @staticmethod
    def _distance(mention: _Match, feeling: _Match) -> int:
        return max(mention.first - feeling.last, feeling.first - mention.last, 0)

    def themes(self) -> tuple[ThemeFound, ...]:
        signs: dict[str, list[int]] = defaultdict(list)
        for feeling in self.feelings:
            if not POLARITY[feeling.kind]:
                continue
            for mention in self.targets(feeling):
                signs[mention.kind].append(self.polarity(feeling))
        evidence: dict[str, list[str]] = defaultdict(list)
        negated: set[str] = set()
        for mention in self.mentions:
            start, end = self.tokens[mention.first].start, self.tokens[mention.last - 1].end
            evidence[mention.kind].append(self.text[start:end])
            if self.is_negated(mention, after=True):
                # "there is no training", "nobody explains decisions", "feedback never
                # reaches us": a theme denied, with no word of sentiment, is a complaint.
                negated.add(mention.kind)
        found = []
        for key in self.taxonomy.order:
            if key not in evidence:
                continue
            felt = set(signs.get(key, ()))
            if felt:
                sentiment = felt.pop() if len(felt) == 1 else 0
            else:
                sentiment = -1 if key in negated else 0
            found.append(ThemeFound(key, sentiment, tuple(evidence[key])))
        return tuple(found)
