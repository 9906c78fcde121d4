"""Hypothesis strategies for what a hostile or broken client sends: values no form expects, in
bodies shaped every wrong way."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from hypothesis import strategies as st

# The lengths columns and validators stop at: a value just under, at and over each.
LIMITS = (2, 10, 16, 24, 32, 40, 64, 80, 120, 200, 254, 255, 256, 300, 500, 1000, 2000, 10000)
HUGE = 1024 * 1024  # about 1 MB, below the request size limit

TRICKY = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 3,
    "\x01\x07\x1b[31m\x7f",
    "\r\n\r\n",
    "\t",
    "\u202eevil\u202c",  # right-to-left override
    "مرحبا بالعملاء",  # right to left
    "שלום",
    "👩🏽‍💻🧑‍🤝‍🧑🏳️‍🌈",  # emoji with joiners and modifiers
    "e\u0301\u0301\u0301\u0301",  # stacked combining marks
    "Z̴̡̛͔̹̝͊͋a̷̢̤͗l̶̡̈́g̸̱̉o̵͉̾",
    "\ufeffBOM",
    "\ufffd\uffff\ufffe",
    "\u200b\u200d\u2060",  # zero-width
    "ﬁ ß İ ǅ",  # case mapping changes length
    "null",
    "None",
    "undefined",
    "NaN",
    "Infinity",
    "true",
    "[]",
    "{}",
    "0",
    "-0",
    "-1",
    "1.5",
    "1e309",
    "0x1f",
    " 7 ",
    "²",  # a digit to str.isdigit, not to int()
    "٣",  # Arabic-Indic three
    "９",  # full-width nine
    "9" * 30,
    "-" + "9" * 30,
    "9" * 5000,  # more digits than int() converts
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "' OR 1=1 --",
    "'; DROP TABLE users; --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7 * 7 }}",
    "%(n)s %s %d {0}",
    '=HYPERLINK("http://x")',
    "../../etc/passwd",
    "/",
    "//evil.example",
    "a/b/c",
    " / ",
    "https://evil.example/",
    "javascript:alert(1)",
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2024-13-01T25:61",
    "1970-01-01T00:00",
    "nobody@example.test",
    "HR@EXAMPLE.TEST",
    "a@b",
    "@",
    "a" * 64 + "@" + "b" * 250 + ".test",
)


def long_text() -> st.SearchStrategy[str]:
    """A run of one character just under, at or over a length limit, or about 1 MB."""
    lengths = st.sampled_from([n + d for n in LIMITS for d in (-1, 0, 1)] + [HUGE])
    unit = st.sampled_from(["a", "é", "😀", "\u0301", "\x00", " ", "/", "9"])
    return st.builds(lambda n, u: u * n, lengths, unit)


def hostile_text() -> st.SearchStrategy[str]:
    """Any text a person could not have typed into the form, or could have by accident."""
    return st.one_of(
        st.sampled_from(TRICKY),
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=20).map(lambda s: s + "\x00" + s),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        long_text(),
    )


# Bytes that are not UTF-8: lone surrogates as some encoders write them, overlong forms, stray
# continuation bytes; the server must decode them, not crash on them.
BROKEN_UTF8 = (b"\xed\xa0\x80", b"\xc0\xaf", b"\x80\x80", b"\xff\xfe\x00", b"caf\xe9")


# The values that broke something once, or would: drawn often, so that fifteen examples find them.
DANGEROUS = (
    "a\x00b",
    "\x00",
    "\x01\x1b",
    "²",
    "٣",
    "9" * 30,
    "9" * 5000,
    "-1",
    "0",
    "9999-12-31T23:59",
    "0001-01-01",
    "x" * HUGE,
    b"\xed\xa0\x80",
)


def hostile_value() -> st.SearchStrategy[str | bytes]:
    """A hostile value, the known dangerous ones about half the time."""
    dangerous = st.sampled_from(DANGEROUS)
    return st.one_of(
        dangerous, dangerous, hostile_text(), st.sampled_from(BROKEN_UTF8), st.binary(max_size=16)
    )


FieldValues = dict[str, list[str | bytes]]


@st.composite
def mutated_body(
    draw,
    valid: FieldValues,
    names: tuple[str, ...] = (),
    values: Mapping[str, st.SearchStrategy] | None = None,
) -> FieldValues:
    """``valid`` with some of the form's fields (``names``, a name given more than once is
    chosen more often) given hostile values, dropped, emptied or repeated, and unknown fields
    added; ``values`` adds hostile values of its own for some fields (files, say)."""
    body = {name: list(found) for name, found in valid.items()}
    names = tuple(sorted(set(body) - set(names))) + names  # names may repeat: drawn more often

    def value_for(name: str):
        special = (values or {}).get(name)
        return draw(st.one_of(special, hostile_value()) if special is not None else hostile_value())

    # Mostly one field at a time, the others valid, so the value reaches the code behind them.
    count = min(len(set(names)), draw(st.sampled_from([0, 1, 1, 1, 1, 1, 2, 3])))
    chosen = (
        draw(st.lists(st.sampled_from(names), min_size=count, max_size=count, unique=True))
        if count
        else []
    )
    for name in chosen:
        action = draw(st.sampled_from(["hostile"] * 4 + ["missing", "repeated", "empty"]))
        if action == "hostile":
            body[name] = [value_for(name)]
        elif action == "missing":
            body.pop(name, None)
        elif action == "repeated":
            body[name] = [value_for(name), *body.get(name, []), value_for(name)]
        else:
            body[name] = [""]
    unknown = draw(st.lists(st.tuples(st.sampled_from(UNKNOWN_NAMES), hostile_value()), max_size=1))
    for name, value in unknown:
        body.setdefault(name, []).append(value)
    return body


UNKNOWN_NAMES = (
    "id",
    "is_hr_admin",
    "user_id",
    "survey_id",
    "item_999999",
    "item_-1",
    "item_x",
    "question_99",
    "question_-1",
    "submit",
    "save",
    "preview",
    "next",
    "\x00",
    "a" * 300,
    "ü",
)


def encode(value: str | bytes) -> bytes:
    """Bytes as a client sends them; lone surrogates the way lenient encoders write them."""
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def urlencoded(body: FieldValues) -> bytes:
    pairs = [(encode(name), encode(value)) for name, values in body.items() for value in values]
    return urlencode(pairs).encode("ascii")


BOUNDARY = "fuzz-boundary-7d1"
MULTIPART_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(body: FieldValues, boundary: str = BOUNDARY) -> bytes:
    """A multipart/form-data body; a field named ``file`` goes as a file upload."""
    parts = []
    for name, values in body.items():
        for value in values:
            disposition = b'form-data; name="' + encode(name).replace(b'"', b"") + b'"'
            if name == "file":
                disposition += b'; filename="roster.csv"'
            parts.append(
                b"--"
                + boundary.encode()
                + b"\r\nContent-Disposition: "
                + disposition
                + b"\r\n\r\n"
                + encode(value)
                + b"\r\n"
            )
    return b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"


# How the body is sent: as the browser does, as multipart, or in a shape no form expects.
ENCODINGS = ("form",) * 12 + ("multipart",) * 2 + ("json", "text", "broken-multipart", "no-type")


def json_values() -> st.SearchStrategy[object]:
    """Any JSON document, with hostile strings and numbers no parser should trip on."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        hostile_text(),
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.one_of(st.sampled_from(UNKNOWN_NAMES), hostile_text()), children, max_size=4
            )
        ),
        max_leaves=8,
    )


ROSTER_HEADER = "employee number,name,email,department\r\n"
ROSTER_CELLS = ("9002", "Ana Souza", "ana@example.test", "Operations/Contact Center")
# Enough valid rows to get past the part of a file sniffed for binary data, then a NUL.
NUL_AFTER_THE_SNIFFED_PART = (
    ROSTER_HEADER
    + "".join(f"{9100 + n},Person {n},p{n}@example.test,Finance\r\n" for n in range(250))
    + "9999,Nu\x00l,nul@example.test,Finance\r\n"
).encode()
# Every level as long as allowed: the path is longer than any column holds.
TOO_DEEP = (ROSTER_HEADER + "9004,Bea,bea@example.test," + "/".join(["D" * 119] * 9)).encode()


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def roster_files() -> st.SearchStrategy[bytes]:
    """Roster uploads that are not what the HR system exports: random bytes, workbooks, CSV with
    hostile cells (some rows valid, so the file gets past the first checks), other encodings."""
    cell = st.one_of(st.sampled_from(ROSTER_CELLS), hostile_text())
    row = st.lists(cell, max_size=6).map(lambda cells: ",".join(map(_csv_cell, cells)))
    valid_row = st.just(",".join(ROSTER_CELLS))
    text = st.lists(st.one_of(row, valid_row), max_size=4).map(
        lambda rows: ROSTER_HEADER + "\r\n".join(rows) + "\r\n"
    )
    crafted = st.sampled_from(
        [
            b"PK\x03\x04 a workbook",
            b"\xd0\xcf\x11\xe0 an old workbook",
            b"\xef\xbb\xbf",
            ROSTER_HEADER.encode(),
            NUL_AFTER_THE_SNIFFED_PART,
            TOO_DEEP,
        ]
    )
    return st.one_of(
        crafted,
        crafted,
        st.binary(max_size=64),
        text.map(lambda t: t.encode("utf-8", "surrogatepass")),
        text.map(lambda t: t.encode("utf-8", "surrogatepass")),
        text.map(lambda t: t.encode("utf-16", "surrogatepass")),
        text.map(lambda t: t.encode("cp1252", "replace")),
    )
