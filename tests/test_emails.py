"""Look-alike email addresses: the TR39 skeleton derived from confusable-homoglyphs' data gives
the known pairs, keeps different addresses apart and is idempotent, as UTS #39 requires."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxculture.emails import LookAlikes, _prototypes, normalised, skeleton, tr39_skeleton


@pytest.mark.parametrize(
    ("plain", "look_alike"),
    [
        # Cyrillic letters for Latin ones
        ("ana@example.com", "\u0430na@example.com"),  # а
        ("paypal", "\u0440\u0430\u0443\u0440\u0430l"),  # р а у р а
        ("joao.costa", "j\u043e\u0430\u043e.\u0441\u043est\u0430"),  # о а о с о а
        ("eva.sousa", "\u0435v\u0430.\u0455\u043eu\u0455\u0430"),  # е а ѕ о ѕ а
        ("xico", "\u0445\u0456\u0441\u043e"),  # х і с о
        ("jose", "\u0458\u043ese"),  # ј о
        ("COCA@EXAMPLE.COM", "\u0421\u041e\u0421\u0410@example.com"),  # capitals С О С А
        # Greek letters
        ("ana@example.com", "\u03b1na@example.com"),  # α
        ("bob@example.com", "b\u03bfb@example.com"),  # ο
        ("ivo@example.com", "\u03b9\u03bd\u03bf@example.com"),  # ι ν ο
        # Full-width forms
        ("ana@example.com", "\uff41\uff4e\uff41@example.com"),  # ａｎａ
        ("ana@example.com", "\uff21\uff2e\uff21@\uff45xample.com"),  # ＡＮＡ, ｅ
        # Letterlike and mathematical alphanumeric symbols
        ("eva@example.com", "\u212fva@example.com"),  # ℯ
        ("ana@example.com", "\U0001d41a\U0001d427\U0001d41a@example.com"),  # 𝐚𝐧𝐚
        ("ana@example.com", "\U0001d4ea\U0001d4f7\U0001d4ea@example.com"),  # 𝓪𝓷𝓪
        ("tom@example.com", "\U0001d69d\U0001d698\U0001d696@example.com"),  # 𝚝𝚘𝚖
        # Latin look-alikes
        ("ivan", "\u0131van"),  # dotless ı
        ("gil", "\u0261il"),  # script ɡ
        # The domain too
        ("ana@example.com", "ana@ex\u0430mple.com"),
    ],
)
def test_known_look_alikes_share_a_skeleton(plain, look_alike):
    assert plain != look_alike
    assert skeleton(plain) == skeleton(look_alike)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ana@example.com", "anna@example.com"),
        ("ana@example.com", "ana@example.org"),
        ("jose@example.com", "jos\u00e9@example.com"),  # an accent is seen
        ("ana.souza@example.com", "ana_souza@example.com"),
        ("bruno@example.com", "bruna@example.com"),
        ("pessoa12@empresa.test", "pessoa21@empresa.test"),
    ],
)
def test_different_addresses_keep_different_skeletons(one, other):
    assert skeleton(one) != skeleton(other)


def test_the_prototype_table_is_derived_in_the_right_direction():
    table = _prototypes()
    assert table[ord("\u0430")] == "a"  # Cyrillic а -> Latin a, never the reverse
    assert ord("a") not in table
    assert table[ord("\u03bf")] == "o"
    assert table[ord("m")] == "rn"  # a prototype of several characters (TR39's own)
    # Every character of every prototype is its own prototype.
    assert not {char for prototype in table.values() for char in prototype} & {
        chr(code) for code in table
    }


def test_the_skeleton_of_a_skeleton_is_itself():
    for code, prototype in _prototypes().items():
        once = tr39_skeleton(chr(code))
        assert tr39_skeleton(once) == once, (hex(code), prototype)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=20))
def test_skeletons_are_idempotent_and_ignore_width_and_case(text):
    once = tr39_skeleton(text)
    assert tr39_skeleton(once) == once
    assert unicodedata.is_normalized("NFD", once)
    assert skeleton(text) == skeleton(text.upper()) or skeleton(text) == skeleton(text.lower())
    assert skeleton(unicodedata.normalize("NFKC", text)) == skeleton(text)


def test_addresses_are_normalised_by_email_validator():
    assert normalised(" Ana@Example.COM ") == "ana@example.com"
    assert normalised("ana@xn--exmple-4nf.com") == "ana@ex\u0430mple.com"  # IDNA, as Unicode
    assert normalised("ana@") is None
    punycode = normalised("ana@xn--exmple-4nf.com")
    assert punycode is not None
    assert skeleton(punycode) == skeleton("ana@example.com")


def test_look_alikes_find_another_address_never_the_same_one():
    index = LookAlikes(["ana@example.com", "bruno@example.com"])
    assert index.find("\u0430na@example.com") == "ana@example.com"
    assert index.find("ana@example.com") is None  # the same address is not a look-alike
    assert index.find("\u0430na@example.com", besides=["ana@example.com"]) is None
    assert index.find("carla@example.com") is None
    assert LookAlikes().find("ana@example.com") is None
