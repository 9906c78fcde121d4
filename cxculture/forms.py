"""The base of every form: Flask-WTF's, reading only what an HTML form sends, and refusing in
every field the characters no stored text may hold (``characters.FORBIDDEN``)."""

from __future__ import annotations

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from cxculture.characters import has_forbidden_characters

FORBIDDEN_MESSAGE = _l("Remove the invisible control characters (such as NUL) from this field.")


class Form(FlaskForm):
    """A Flask-WTF form; derive every form of the product from it."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            # Flask-WTF reads a JSON body as the form's data (and fails on a JSON list): a
            # browser never sends one, so such a request is a form with nothing filled in.
            is_automatic = formdata is not None and not hasattr(formdata, "getlist")
            if is_automatic and has_request_context() and request.is_json:
                return request.form if form.is_submitted() else None
            return super().wrap_formdata(form, formdata)

    def validate(self, extra_validators=None) -> bool:
        """The fields' own validation, and no field holding a forbidden character."""
        is_valid = super().validate(extra_validators)
        for field in self:
            raw = field.raw_data or ()
            if any(isinstance(value, str) and has_forbidden_characters(value) for value in raw):
                if not field.errors:
                    field.errors = [str(FORBIDDEN_MESSAGE)]
                is_valid = False
        return is_valid
