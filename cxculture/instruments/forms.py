"""The item form: one dimension, reverse keying, and the statement in every language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from cxculture.forms import Form
from cxculture.models import InstrumentItem
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.templating import DIMENSION_LABELS


class ItemForm(Form):
    dimension = SelectField(
        _l("Dimension"), choices=[SelectChoice(key, DIMENSION_LABELS[key]) for key in DIMENSIONS]
    )
    is_reverse_keyed = BooleanField(_l("Reverse-keyed (agreeing is the unfavourable answer)"))
    text_en = TextAreaField(
        _l("Statement in English"), validators=[DataRequired(), Length(max=500)]
    )
    text_pt_br = TextAreaField(
        _l("Statement in Portuguese (Brazil)"), validators=[DataRequired(), Length(max=500)]
    )
    text_es = TextAreaField(
        _l("Statement in Spanish"), validators=[DataRequired(), Length(max=500)]
    )
    submit = SubmitField(_l("Save item"))

    def texts(self) -> dict[str, str]:
        return {"en": self.text_en.data, "pt_BR": self.text_pt_br.data, "es": self.text_es.data}

    @classmethod
    def for_item(cls, item: InstrumentItem) -> ItemForm:
        return cls(
            dimension=item.dimension,
            is_reverse_keyed=item.is_reverse_keyed,
            text_en=item.texts.get("en"),
            text_pt_br=item.texts.get("pt_BR"),
            text_es=item.texts.get("es"),
        )
