"""The language switch."""

from __future__ import annotations

from wtforms import HiddenField, SelectChoice, SelectField

from config import SUPPORTED_LOCALES
from cxculture.forms import Form
from cxculture.i18n import LANGUAGE_NAMES


class LanguageForm(Form):
    locale = SelectField(
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES]
    )
    next = HiddenField()
