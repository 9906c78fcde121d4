"""The shipped instrument, versions, and item editing until a survey using it launches."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from cxculture.models import User
from cxculture.scoring.dimensions import DIMENSIONS
from cxculture.services import audit
from cxculture.services.surveys import questionnaires
from tests.factories import make_instrument, make_survey, make_user


def test_shipped_instrument_has_six_dimensions_of_three_or_four_items(ctx):
    instrument = make_instrument()
    per_dimension = Counter(item.dimension for item in instrument.items)
    assert set(per_dimension) == set(DIMENSIONS)
    assert all(3 <= count <= 4 for count in per_dimension.values())
    reversed_dimensions = {i.dimension for i in instrument.items if i.is_reverse_keyed}
    assert reversed_dimensions == set(DIMENSIONS)


def test_every_text_exists_in_the_three_languages(ctx):
    instrument = make_instrument()
    for texts in [instrument.open_question, instrument.comment_prompt, instrument.names] + [
        item.texts for item in instrument.items
    ]:
        assert set(texts) == {"en", "pt_BR", "es"}
        assert all(text.strip() for text in texts.values())
    assert "who is it for" in instrument.open_question["en"]


def test_loading_twice_keeps_one_version(ctx):
    first, created = questionnaires.load_instrument()
    again, created_again = questionnaires.load_instrument()
    assert created
    assert not created_again
    assert first.id == again.id


def _write(tmp_path, data) -> object:
    path = tmp_path / "instrument.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _shipped() -> dict:
    return yaml.safe_load(questionnaires.SHIPPED_INSTRUMENT.read_text(encoding="utf-8"))


def test_an_item_missing_a_language_is_refused(ctx, tmp_path):
    data = _shipped()
    del data["items"][0]["text"]["es"]
    with pytest.raises(questionnaires.InstrumentError, match="missing text in es"):
        questionnaires.load_instrument(_write(tmp_path, data))


def test_an_unknown_dimension_is_refused(ctx, tmp_path):
    data = _shipped()
    data["items"][0]["dimension"] = "happiness"
    with pytest.raises(questionnaires.InstrumentError, match="unknown dimension"):
        questionnaires.load_instrument(_write(tmp_path, data))


def test_load_instrument_command(app, tmp_path):
    runner = app.test_cli_runner()
    assert "Loaded coi v1, 20 items" in runner.invoke(args=["load-instrument"]).output
    assert "Already loaded" in runner.invoke(args=["load-instrument"]).output
    data = _shipped()
    data["items"] = data["items"][:3]
    result = runner.invoke(args=["load-instrument", str(_write(tmp_path, data))])
    assert result.exit_code == 1
    assert "no items for" in result.output


def _hr(ctx) -> User:
    return make_user(is_hr_admin=True, department="People")


def test_copy_makes_an_editable_next_version(ctx):
    source = make_instrument()
    copy = questionnaires.copy_instrument(source, _hr(ctx))
    assert copy.version == source.version + 1
    assert copy.based_on_id == source.id
    assert [i.texts for i in copy.items] == [i.texts for i in source.items]
    assert not copy.is_frozen


def test_items_can_be_added_edited_moved_and_removed_before_launch(ctx):
    hr = _hr(ctx)
    copy = questionnaires.copy_instrument(make_instrument(), hr)
    texts = {"en": "I thank customers.", "pt_BR": "Agradeço.", "es": "Agradezco."}
    added = questionnaires.add_item(copy, "listen", False, texts, hr)
    assert added.position == len(copy.items)
    assert added.code == "listen_4"  # after the three shipped listen items

    questionnaires.move_item(added, -1, hr)
    assert copy.items[-2] is added
    questionnaires.update_item(added, "share", True, {**texts, "en": "I pass it on."}, hr)
    assert (added.dimension, added.is_reverse_keyed, added.texts["en"]) == (
        "share",
        True,
        "I pass it on.",
    )
    first = copy.items[0]
    questionnaires.remove_item(first, hr)
    assert first not in copy.items
    assert [item.position for item in copy.items] == list(range(1, len(copy.items) + 1))


def test_every_item_change_is_in_the_audit_trail(ctx):
    hr = _hr(ctx)
    copy = questionnaires.copy_instrument(make_instrument(), hr)
    texts = {"en": "I thank customers.", "pt_BR": "Agradeço.", "es": "Agradezco."}
    added = questionnaires.add_item(copy, "listen", False, texts, hr)
    questionnaires.update_item(added, "share", True, texts, hr)
    questionnaires.move_item(added, -1, hr)
    questionnaires.remove_item(added, hr)
    trail = audit.events_for("instrument", copy.id)
    assert [event.action for event in reversed(trail)] == [
        "instrument.copied",
        "instrument.item_added",
        "instrument.item_edited",
        "instrument.item_moved",
        "instrument.item_removed",
    ]
    assert {event.actor.id for event in trail} == {hr.id}
    assert trail[0].details == {"item": "listen_4", "dimension": "share", "position": 20}


def test_items_are_frozen_once_a_survey_using_them_launches(ctx):
    instrument = make_instrument()
    make_survey(instrument=instrument)
    assert instrument.is_frozen
    with pytest.raises(questionnaires.InstrumentFrozen):
        questionnaires.add_item(
            instrument, "listen", False, {"en": "x", "pt_BR": "x", "es": "x"}, None
        )
    with pytest.raises(questionnaires.InstrumentFrozen):
        questionnaires.remove_item(instrument.items[0], None)
    with pytest.raises(questionnaires.InstrumentFrozen):
        questionnaires.move_item(instrument.items[1], -1, None)


def test_hr_edits_an_item_through_the_page(app, browser, hr_admin):
    with app.app_context():
        copy = questionnaires.copy_instrument(make_instrument(), make_user(is_hr_admin=True))
        copy_id, item_id = copy.id, copy.items[0].id
    browser.login(hr_admin.email)
    path = f"/hr/instruments/{copy_id}/items/{item_id}"
    response = browser.post_form(
        path,
        {
            "dimension": "lead",
            "text_en": "My manager asks about customers.",
            "text_pt_br": "Minha liderança pergunta pelos clientes.",
            "text_es": "Mi responsable pregunta por los clientes.",
        },
    )
    assert response.status_code == 302
    assert "My manager asks about customers." in browser.client.get(
        f"/hr/instruments/{copy_id}"
    ).get_data(as_text=True)


def test_frozen_instrument_page_offers_no_editing(app, browser, hr_admin):
    with app.app_context():
        instrument = make_instrument()
        make_survey(instrument=instrument)
        instrument_id, item_id = instrument.id, instrument.items[0].id
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/instruments/{instrument_id}").get_data(as_text=True)
    assert "Add an item" not in html
    response = browser.post_form(
        f"/hr/instruments/{instrument_id}",
        {},
        action=f"/hr/instruments/{instrument_id}/items/{item_id}/remove",
        follow_redirects=True,
    )
    assert "frozen" in response.get_data(as_text=True)
