"""A survey in each reader's language: HR writes the name, the introduction and the email texts
per language; each person gets their own language (their profile's, else the default), with
the default language's text, then the standard one, where nothing was written; HR sees every
email as it is sent before launching."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.models import AuditEvent, OutboxMessage, Survey, User, utcnow
from cxculture.services import surveys
from cxculture.services.surveys import previews, responses
from cxculture.services.surveys.texts import clean_texts, languages_needed, survey_text
from tests.factories import full_answers, make_instrument, make_survey, make_user

PLACEHOLDER = "(personal link)"
TEXTS = {
    "en": {"intro": "Ten minutes about our customers.", "invitation": "Dear colleague, please."},
    "pt_BR": {
        "name": "Orientação ao cliente, segunda onda",
        "intro": "Dez minutos sobre os nossos clientes.",
        "invitation": "Cara colega, responda por favor.",
        "reminder": "Ainda dá tempo de responder.",
    },
    "es": {"name": "Orientación al cliente, segunda ola"},
}


def _local(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")  # the company zone is UTC in tests


def _survey(texts=TEXTS, *, launch: bool = True, **kwargs) -> Survey:
    """A survey named "Customer orientation, second wave" in the default language (English),
    with ``texts`` written by HR, launched unless ``launch`` is False."""
    survey = make_survey(name="Customer orientation, second wave", launch=False, **kwargs)
    survey.texts = texts
    db.session.commit()
    if launch:
        surveys.launch_survey(survey, survey_creator(survey), utcnow())
    return survey


def survey_creator(survey: Survey) -> User:
    return db.session.get_one(User, survey.created_by_id)


def _sent(kind: str, email: str) -> OutboxMessage:
    return db.session.execute(
        select(OutboxMessage).where(OutboxMessage.kind == kind, OutboxMessage.to_email == email)
    ).scalar_one()


def _form(instrument_id: int, **fields: str) -> dict[str, str]:
    now = utcnow()
    return {
        "name": "Customer orientation, second wave",
        "instrument_id": str(instrument_id),
        "privacy_mode": "confidential",
        "audience": "company",
        "opens_at": _local(now + timedelta(hours=1)),
        "closes_at": _local(now + timedelta(days=10)),
        **fields,
    }


@pytest.fixture
def instrument_id(app):
    with app.app_context():
        return make_instrument().id


# The fallback rule


def test_a_reader_gets_their_language_then_the_default_then_nothing(ctx):
    survey = _survey(launch=False)
    assert survey_text(survey, "name", "pt_BR", "en") == "Orientação ao cliente, segunda onda"
    assert survey_text(survey, "name", "en", "en") == "Customer orientation, second wave"
    assert survey_text(survey, "invitation", "pt_BR", "en") == "Cara colega, responda por favor."
    assert survey_text(survey, "invitation", "es", "en") == "Dear colleague, please."
    assert survey_text(survey, "reminder", "es", "en") == ""  # the standard text's turn
    assert survey_text(survey, "intro", "es", "en") == "Ten minutes about our customers."


def test_only_known_languages_and_texts_are_kept_stripped_and_without_empties():
    kept = clean_texts(
        {
            "en": {"name": "Twice named", "intro": "  Hello\r\nthere  "},
            "pt_BR": {"name": "   ", "invitation": "Olá", "footer": "<b>?</b>"},
            "fr": {"name": "Vague deux"},
            "es": {"intro": ""},
        },
        "en",
    )
    assert kept == {"en": {"intro": "Hello\nthere"}, "pt_BR": {"invitation": "Olá"}}


def test_the_languages_needed_are_the_readers_and_the_default_first():
    assert languages_needed([None, "es", "es"], "pt_BR") == ["pt_BR", "es"]
    assert languages_needed([], "en") == ["en"]
    assert languages_needed(["xx", "pt_BR"], "en") == ["en", "pt_BR"]


# HR's form


def test_hr_writes_the_survey_in_each_language(app, browser, hr_admin, instrument_id):
    browser.login(hr_admin.email)
    response = browser.post_form(
        "/hr/surveys/new",
        _form(
            instrument_id,
            name="  Customer orientation, second wave ",
            intro_en="Ten minutes.\r\nThank you.",
            name_pt_br=" Orientação ao cliente ",
            invitation_pt_br="Cara colega,\r\nresponda.",
            reminder_es="Todavía puede responder.",
            name_es="",
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        survey = db.session.execute(select(Survey)).scalar_one()
        assert survey.name == "Customer orientation, second wave"
        assert survey.texts == {
            "en": {"intro": "Ten minutes.\nThank you."},
            "pt_BR": {"name": "Orientação ao cliente", "invitation": "Cara colega,\nresponda."},
            "es": {"reminder": "Todavía puede responder."},
        }


def test_the_form_has_no_second_name_for_the_default_language(
    app, browser, hr_admin, instrument_id
):
    browser.login(hr_admin.email)
    page = browser.client.get("/hr/surveys/new").get_data(as_text=True)
    assert 'name="name_pt_br"' in page
    assert 'name="name_es"' in page
    assert 'name="name_en"' not in page
    for field in ("intro", "invitation", "reminder"):
        for suffix in ("en", "pt_br", "es"):
            assert f'name="{field}_{suffix}"' in page
    # A forged default-language name is not kept beside ``name``.
    browser.post_form("/hr/surveys/new", _form(instrument_id, name_en="Another name"))
    with app.app_context():
        survey = db.session.execute(select(Survey)).scalar_one()
        assert survey.name == "Customer orientation, second wave"
        assert survey.texts == {}


@pytest.mark.parametrize(
    ("field", "limit"),
    [("name_pt_br", 200), ("intro_es", 1000), ("invitation_en", 2000), ("reminder_pt_br", 2000)],
)
def test_a_text_too_long_is_refused_with_its_limit(
    app, browser, hr_admin, instrument_id, field, limit
):
    browser.login(hr_admin.email)
    response = browser.post_form(
        "/hr/surveys/new", _form(instrument_id, **{field: "x" * (limit + 1)})
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"Write at most {limit} characters: this text has {limit + 1}." in html
    assert "needs correcting" in html  # the language's section says so, and is open
    with app.app_context():
        assert db.session.execute(select(Survey)).first() is None
    # At the limit it is kept, whole.
    assert (
        browser.post_form(
            "/hr/surveys/new", _form(instrument_id, **{field: "x" * limit})
        ).status_code
        == 302
    )


def test_a_text_of_only_spaces_counts_as_not_written(app, browser, hr_admin, instrument_id):
    browser.login(hr_admin.email)
    refused = browser.post_form("/hr/surveys/new", _form(instrument_id, name="   "))
    assert refused.status_code == 200
    assert "This field is required." in refused.get_data(as_text=True)
    response = browser.post_form(
        "/hr/surveys/new",
        _form(instrument_id, name_pt_br="   ", invitation_es=" \r\n\t ", intro_en="\n"),
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.execute(select(Survey)).scalar_one().texts == {}


@pytest.mark.parametrize("field", ["name", "name_pt_br"])
def test_a_name_on_two_lines_is_refused(app, browser, hr_admin, instrument_id, field):
    """A name is an email's subject: a line break would cut it and start the body."""
    browser.login(hr_admin.email)
    response = browser.post_form(
        "/hr/surveys/new", _form(instrument_id, **{field: "Wave two\r\nBcc: someone@example.test"})
    )
    assert response.status_code == 200
    assert "Write the name on one line." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(Survey)).first() is None


def test_a_control_character_in_a_text_is_refused(app, browser, hr_admin, instrument_id):
    browser.login(hr_admin.email)
    response = browser.post_form("/hr/surveys/new", _form(instrument_id, intro_es="Hola\x00"))
    assert response.status_code == 200
    assert "Remove the invisible control characters" in response.get_data(as_text=True)


def test_the_edit_form_shows_the_texts_and_saves_changes(app, browser, hr_admin, instrument_id):
    with app.app_context():
        survey = _survey(launch=False)
        survey_id = survey.id
        form = _form(
            instrument_id,
            name_pt_br="Orientação ao cliente, segunda onda",
            intro_pt_br="Novo texto.",
            opens_at=_local(survey.opens_at + timedelta(days=2)),
            closes_at=_local(survey.closes_at),
        )
    browser.login(hr_admin.email)
    page = browser.client.get(f"/hr/surveys/{survey_id}/edit").get_data(as_text=True)
    assert "Cara colega, responda por favor." in page
    assert "Orientación al cliente, segunda ola" in page
    assert browser.post_form(f"/hr/surveys/{survey_id}/edit", form).status_code == 302
    with app.app_context():
        # What the form no longer holds is no longer written: the form is the whole state.
        assert db.session.get(Survey, survey_id).texts == {
            "pt_BR": {"name": "Orientação ao cliente, segunda onda", "intro": "Novo texto."}
        }


def test_a_launched_surveys_texts_cannot_be_edited(app, browser, hr_admin, instrument_id):
    with app.app_context():
        survey = _survey()
        survey_id = survey.id
        form = _form(
            instrument_id,
            invitation_pt_br="Changed after the launch",
            opens_at=_local(survey.opens_at),
            closes_at=_local(survey.closes_at),
        )
    browser.login(hr_admin.email)
    refused = browser.post_form(f"/hr/surveys/{survey_id}/edit", form, follow_redirects=True)
    assert "Only a draft can be edited." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Survey, survey_id).texts == TEXTS


def test_writing_the_texts_is_in_the_surveys_history(app, browser, hr_admin, instrument_id):
    browser.login(hr_admin.email)
    created = browser.post_form("/hr/surveys/new", _form(instrument_id, intro_es="Hola."))
    survey_path = created.headers["Location"]
    edited = browser.post_form(f"{survey_path}/edit", _form(instrument_id, intro_es="Adiós."))
    assert edited.status_code == 302
    with app.app_context():
        actions = db.session.execute(
            select(AuditEvent.action).where(AuditEvent.target_type == "survey")
        ).scalars()
        assert sorted(actions) == ["survey.created", "survey.edited"]


# Emails


def test_each_person_gets_the_name_and_text_of_their_language(ctx):
    make_user(email="rita@example.test", locale="pt_BR")
    make_user(email="lucia@example.test", locale="es")
    make_user(email="default@example.test", locale=None)
    _survey()
    rita = _sent("invitation", "rita@example.test")
    assert rita.locale == "pt_BR"
    assert "Orientação ao cliente, segunda onda" in rita.subject
    assert "Cara colega, responda por favor." in rita.body
    assert "Customer orientation" not in rita.subject + rita.body
    lucia = _sent("invitation", "lucia@example.test")
    assert "Orientación al cliente, segunda ola" in lucia.subject
    # Nothing written in Spanish: the default language's invitation text.
    assert "Dear colleague, please." in lucia.body
    default = _sent("invitation", "default@example.test")
    assert default.locale == "en"
    assert default.subject == "Survey: Customer orientation, second wave"
    assert "Dear colleague, please." in default.body
    assert "You are invited to answer" not in default.body  # HR's words in its place


def test_without_texts_the_standard_invitation_is_sent(ctx):
    make_user(email="plain@example.test", locale="en")
    make_survey(name="Plain wave")
    plain = _sent("invitation", "plain@example.test")
    assert plain.subject == "Survey: Plain wave"
    assert "You are invited to answer “Plain wave”." in plain.body


def test_an_invitation_keeps_the_dates_the_privacy_note_and_the_link_line(ctx):
    make_user(email="rita@example.test", locale="pt_BR")
    _survey(privacy_mode="anonymous")
    body = _sent("invitation", "rita@example.test").body
    lines = body.splitlines()
    assert lines[0] == "Olá,"
    assert lines[2] == "Cara colega, responda por favor."
    assert lines[4].startswith("Ela fica aberta até")
    assert lines[5] == "A pesquisa é anônima: as suas respostas são guardadas sem o seu nome."
    assert lines[6] == ""
    assert lines[8] == ""


def test_reminders_carry_hrs_reminder_text_or_the_standard_one(ctx):
    make_user(email="rita@example.test", locale="pt_BR")
    make_user(email="lucia@example.test", locale="es")
    make_user(email="ed@example.test", locale="en")
    survey = _survey()
    surveys.send_reminders(survey, survey_creator(survey), utcnow())
    rita = _sent("reminder", "rita@example.test")
    assert "Orientação ao cliente, segunda onda" in rita.subject
    assert "Ainda dá tempo de responder." in rita.body
    assert "Ela fica aberta até" in rita.body  # the closing date follows HR's words
    ed = _sent("reminder", "ed@example.test")
    assert ed.subject == "Reminder: Customer orientation, second wave"
    assert "“Customer orientation, second wave” is still open until" in ed.body
    lucia = _sent("reminder", "lucia@example.test")
    assert "Orientación al cliente, segunda ola" in lucia.subject
    assert "Ainda dá tempo" not in lucia.body  # another language's text never stands in


def test_markup_in_a_text_reaches_the_email_as_plain_text(ctx):
    make_user(email="rita@example.test", locale="pt_BR")
    _survey({"pt_BR": {"name": "Onda <2>", "invitation": "Use <b>this</b> & that."}})
    rita = _sent("invitation", "rita@example.test")
    assert "Onda <2>" in rita.subject
    assert "Use <b>this</b> & that." in rita.body
    assert "&lt;" not in rita.body
    assert "&amp;" not in rita.body


def test_another_default_language_takes_the_defaults_place(app, browser, hr_admin, instrument_id):
    app.config["BABEL_DEFAULT_LOCALE"] = "pt_BR"
    browser.login(hr_admin.email)
    page = browser.client.get("/hr/surveys/new").get_data(as_text=True)
    assert 'name="name_en"' in page
    assert 'name="name_pt_br"' not in page
    form = _form(
        instrument_id,
        name="Onda dois",
        name_en="Wave two",
        name_pt_br="Forged second name",
        invitation_pt_br="Olá a todos.",
        opens_at=_local(utcnow() - timedelta(hours=1)),
    )
    assert browser.post_form("/hr/surveys/new", form).status_code == 302
    with app.app_context():
        make_user(email="nobody-chose@example.test", locale=None)
        make_user(email="ed@example.test", locale="en")
        survey = db.session.execute(select(Survey)).scalar_one()
        assert survey.texts == {"en": {"name": "Wave two"}, "pt_BR": {"invitation": "Olá a todos."}}
        surveys.launch_survey(survey, survey_creator(survey), utcnow())
        unset = _sent("invitation", "nobody-chose@example.test")
        assert unset.locale == "pt_BR"
        assert unset.subject == "Pesquisa: Onda dois"
        ed = _sent("invitation", "ed@example.test")
        assert ed.subject == "Survey: Wave two"
        assert "Olá a todos." in ed.body  # the default language's text, not the standard one


# Previews before the launch


def _split_at_link(body: str) -> tuple[str, str]:
    """A preview's body before and after its link line."""
    before, found, after = body.partition(f"\n{PLACEHOLDER}\n")
    assert found, "the link line is not alone on its line"
    return before + "\n", "\n" + after


def test_the_previews_are_the_emails_as_sent_in_every_language_needed(ctx):
    make_user(email="rita@example.test", locale="pt_BR")
    make_user(email="lucia@example.test", locale="es")
    survey = _survey(launch=False)
    shown = {(p.kind, p.locale): p for p in previews.email_previews(survey, PLACEHOLDER)}
    assert set(shown) == {
        (k, loc) for k in ("invitation", "reminder") for loc in ("en", "pt_BR", "es")
    }
    surveys.launch_survey(survey, survey_creator(survey), utcnow())
    surveys.send_reminders(survey, survey_creator(survey), utcnow())
    for kind in ("invitation", "reminder"):
        for email, locale in (("rita@example.test", "pt_BR"), ("lucia@example.test", "es")):
            sent, preview = _sent(kind, email), shown[(kind, locale)]
            assert sent.subject == preview.subject
            before, after = _split_at_link(preview.body)
            assert sent.body.startswith(before)
            assert sent.body.endswith(after)


def test_previews_leave_out_languages_nobody_in_the_audience_reads(ctx):
    make_user(department="IT", locale="pt_BR")
    make_user(department="Finance", locale="es")  # outside the audience
    survey = _survey(launch=False, departments=("IT",))
    assert {p.locale for p in previews.email_previews(survey, PLACEHOLDER)} == {"en", "pt_BR"}


def test_the_launch_page_shows_each_email_with_a_neutral_link(app, browser, hr_admin):
    with app.app_context():
        make_user(locale="pt_BR")
        make_user(locale="es")
        survey_id = _survey(launch=False).id
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/surveys/{survey_id}/launch").get_data(as_text=True)
    for kind in ("invitation", "reminder"):
        for locale in ("en", "pt_BR", "es"):
            assert f'data-email="{kind}-{locale}"' in html
    assert "Survey: Customer orientation, second wave" in html
    assert "Orientação ao cliente, segunda onda" in html
    assert "Cara colega, responda por favor." in html
    assert "Ainda dá tempo de responder." in html
    assert "(personal link)" in html
    assert f"/surveys/{survey_id}<" not in html  # no real link, which would be nobody's
    assert "Launch and email" in html  # the button is still there


def test_the_launch_page_escapes_markup_in_the_texts(app, browser, hr_admin):
    with app.app_context():
        make_user(locale="pt_BR")
        survey_id = _survey(
            {"pt_BR": {"name": "<i>Onda</i>", "invitation": "<script>alert(1)</script>"}},
            launch=False,
        ).id
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/surveys/{survey_id}/launch").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "<i>Onda</i>" not in html


def test_the_survey_page_shows_the_texts_of_every_language(app, browser, hr_admin):
    with app.app_context():
        survey_id = _survey({**TEXTS, "es": {"name": "<b>Ola</b>"}}, launch=False).id
    browser.login(hr_admin.email)
    html = browser.client.get(f"/hr/surveys/{survey_id}").get_data(as_text=True)
    assert 'data-language="pt_BR"' in html
    assert 'data-language="es"' in html
    assert "Cara colega, responda por favor." in html
    assert "&lt;b&gt;Ola&lt;/b&gt;" in html
    assert "<b>Ola</b>" not in html
    assert "Not written: the standard text is used." in html  # no English reminder


# Pages people read


def _login_as(browser, app, locale: str | None, **kwargs):
    with app.app_context():
        person = make_user(locale=locale, **kwargs)
        email = person.email
    browser.login(email)
    return email


@pytest.mark.parametrize(
    ("locale", "name"),
    [
        ("pt_BR", "Orientação ao cliente, segunda onda"),
        ("es", "Orientación al cliente, segunda ola"),
        ("en", "Customer orientation, second wave"),
    ],
)
def test_my_surveys_and_my_home_name_the_survey_in_my_language(app, browser, locale, name):
    _login_as(browser, app, locale)
    with app.app_context():
        _survey()
    mine = browser.client.get("/surveys/").get_data(as_text=True)
    home = browser.client.get("/me").get_data(as_text=True)
    assert name in mine
    assert name in home
    if locale != "en":
        assert "Customer orientation, second wave" not in mine + home


def test_a_language_without_a_name_shows_the_default_name(app, browser):
    _login_as(browser, app, "es")
    with app.app_context():
        _survey({"pt_BR": {"name": "Só em português"}})
    mine = browser.client.get("/surveys/").get_data(as_text=True)
    assert "Customer orientation, second wave" in mine
    assert "Só em português" not in mine


def test_a_name_with_markup_is_shown_as_text(app, browser):
    _login_as(browser, app, "pt_BR")
    with app.app_context():
        _survey({"pt_BR": {"name": '<img src=x onerror="alert(1)">'}})
    for path in ("/surveys/", "/me"):
        html = browser.client.get(path).get_data(as_text=True)
        assert "&lt;img src=x onerror=" in html
        assert "<img src=x" not in html


def test_the_thanks_page_names_the_survey_in_my_language(app, browser):
    email = _login_as(browser, app, "pt_BR")
    with app.app_context():
        survey = _survey()
        person = db.session.execute(select(User).where(User.email == email)).scalar_one()
        invitation = responses.invitation_for(person, survey.id)
        responses.submit_response(invitation, full_answers(survey), "pt_BR", utcnow())
        survey_id = survey.id
    html = browser.client.get(f"/surveys/{survey_id}/thanks").get_data(as_text=True)
    assert "Orientação ao cliente, segunda onda" in html


def test_a_heads_home_names_the_running_survey_in_their_language(app, browser):
    with app.app_context():
        for _ in range(5):
            make_user(department="Operations/Contact Center")
    _login_as(browser, app, "es", department="Operations", heads=("Operations",))
    with app.app_context():
        _survey()
    html = browser.client.get("/dashboards/").get_data(as_text=True)
    assert "Orientación al cliente, segunda ola" in html
