"""What a survey says to its readers in their language: the texts HR writes per language (name,
introduction, invitation, reminder) and the one fallback rule every page and email follows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from config import SUPPORTED_LOCALES
from cxculture.models import Survey

# The texts HR may write per language, and their length in characters. The name's limit is the
# column's (Survey.name); the others are plain text, kept short enough to read in an email.
TEXT_LIMITS: dict[str, int] = {"name": 200, "intro": 1000, "invitation": 2000, "reminder": 2000}
TEXT_FIELDS = tuple(TEXT_LIMITS)


def survey_text(survey: Survey, field: str, locale: str, default_locale: str) -> str:
    """HR's ``field`` for a reader of ``locale``: in that language, else in the default one.

    The name's default is ``Survey.name``; for the other texts nothing written is "", where
    the caller shows the product's standard text."""
    if field == "name":
        return survey.name_in(locale)
    return survey.text_in(field, locale) or survey.text_in(field, default_locale)


def reader_locale(person_locale: str | None, default_locale: str) -> str:
    """The language a person reads the survey's emails in: their profile's, else the default."""
    return person_locale if person_locale in SUPPORTED_LOCALES else default_locale


def clean_texts(
    texts: Mapping[str, Mapping[str, str | None]], default_locale: str
) -> dict[str, dict[str, str]]:
    """``texts`` as stored: supported languages and known fields only, stripped, line breaks as
    ``\\n``, empty ones left out (they fall back), and no name in the default language (that
    one is ``Survey.name``). Lengths are the form's to check (``TEXT_LIMITS``)."""
    cleaned: dict[str, dict[str, str]] = {}
    for locale in SUPPORTED_LOCALES:
        written: dict[str, str] = {}
        for field in TEXT_FIELDS:
            if field == "name" and locale == default_locale:
                continue
            value = normalise(texts.get(locale, {}).get(field))
            if value:
                written[field] = value
        if written:
            cleaned[locale] = written
    return cleaned


def normalise(value: str | None) -> str:
    """A text as kept: Windows and old Mac line breaks as ``\\n``, no spaces around it."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def languages_needed(person_locales: Iterable[str | None], default_locale: str) -> list[str]:
    """The languages a set of people read the survey in, the default first, then in the
    product's order."""
    needed = {reader_locale(locale, default_locale) for locale in person_locales}
    needed.add(default_locale)
    return [default_locale] + [
        locale for locale in SUPPORTED_LOCALES if locale in needed and locale != default_locale
    ]
