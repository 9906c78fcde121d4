"""What people wrote about: the themes of a group's texts, released exactly where its texts are.

Theme counts and their examples are drawn from the texts the release layer already lets out
(``statements``) and from nothing else, so they come out for the same groups, at the same moment
and never beside a wave that would show a difference of texts. A group whose texts are withheld
gets no counts at all, not even zeros: counts of words over a small group would tell what a
few people wrote as surely as their texts.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cxculture.disclosure import texts
from cxculture.disclosure.release import Release
from cxculture.lexicons import lexicon_dir, themes_dir
from cxculture.scoring.role_statement import language_of
from cxculture.scoring.themes import classify_comment, labels

EXAMPLES = 3  # texts shown under each theme


@dataclass(frozen=True)
class ThemeCount:
    """One theme of a group's texts: how many texts name it, how they feel about it, and a few
    of them."""

    theme: str
    label: str
    texts: int
    positive: int
    mixed: int  # neither well nor ill, or both
    negative: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class CommentThemes:
    """The themes of everything a group wrote (role statements and comments)."""

    themes: list[ThemeCount]  # the themes named at least once, the most named first
    texts: int
    without_theme: int
    not_classified: int  # in a language the themes do not cover, or too short to tell


def _content_order(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def comment_themes(
    release: Release, key: str, locale: str | None, examples: int = EXAMPLES
) -> CommentThemes | None:
    """The themes of what the group ``key`` wrote, with up to ``examples`` of its released texts
    each, labelled for ``locale``; None wherever its texts are not released (the decision
    ``statements`` makes)."""
    found = texts.released(release, key)
    if found is None:
        return None
    extra_themes, extra_words = themes_dir(), lexicon_dir()
    language = language_of(locale)
    # Kept beside the texts they count: a warm page neither reads nor classifies them again.
    kept_as = ("themes", language, extra_themes, extra_words, examples)
    summary = found.derived.get(kept_as)
    if not isinstance(summary, CommentThemes):
        names = labels(language, extra_themes)
        summary = summarise(list(found.rows), names, examples, extra_themes, extra_words)
        found.derived[kept_as] = summary
    return summary


def summarise(
    rows: list[tuple[str, ...]],
    names: dict[str, str],
    examples: int = EXAMPLES,
    extra_themes: Path | None = None,
    extra_words: Path | None = None,
) -> CommentThemes:
    """Counts and examples per theme over ``rows`` (the texts of one response each)."""
    counts: dict[str, Counter[int]] = {}
    named: dict[str, list[str]] = {}
    total = without_theme = not_classified = 0
    for row in rows:
        for text in row:
            total += 1
            found = classify_comment(text, extra_themes, extra_words)
            if not found.is_classified:
                not_classified += 1
            elif not found.found:
                without_theme += 1
            for item in found.found:
                counts.setdefault(item.theme, Counter())[item.sentiment] += 1
                named.setdefault(item.theme, []).append(text)
    # Examples are picked in an order given by the texts alone, never by who wrote them: picking
    # by response (or skipping a response's second text) would tell which texts one person wrote.
    shown = {
        theme: sorted(set(found), key=_content_order)[:examples] for theme, found in named.items()
    }
    order = list(names)
    themes = [
        ThemeCount(
            theme,
            names.get(theme, theme),
            sum(signs.values()),
            signs[1],
            signs[0],
            signs[-1],
            tuple(shown[theme]),
        )
        for theme, signs in counts.items()
    ]
    themes.sort(
        key=lambda item: (
            -item.texts,
            order.index(item.theme) if item.theme in order else len(order),
        )
    )
    return CommentThemes(themes, total, without_theme, not_classified)
