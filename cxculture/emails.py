"""Email addresses that look alike: Unicode TR39 confusable skeletons.

Two addresses that differ only by look-alike characters (Cyrillic ``а`` for Latin ``a``,
full-width ``ａ``, script ``ℯ``, mathematical ``𝐚``...) read the same to a person, so one of them
given to a second person would let that person pass for the first one. ``skeleton`` maps both
to the same string; ``LookAlikes`` finds, among many addresses, one that looks like a given
address without being it.

The skeleton is that of UTS #39 (Unicode Security Mechanisms) section 4 — NFD, each character
replaced by its prototype, NFD again — taken after NFKC and case folding, so width forms,
compatibility letters and case never tell two addresses apart either. Addresses are expected
already normalised by email-validator (``normalised``): its IDNA handling turns a punycode
domain into the Unicode one, so ``xn--exmple-4nf.com`` and ``exаmple.com`` compare alike too.

The prototypes come from the ``confusable-homoglyphs`` package (Unicode's confusables.txt as
JSON). Its ``confusables.json`` records each line ``source → prototype`` both ways and says
neither which side is which, so the table is derived here from the data's shape, without a
character typed by hand: in confusables.txt a prototype is never itself a source, so the pairs
form stars, each prototype linked to the characters that map to it. A node with several
neighbours is a prototype, its neighbours map to it; a sequence of several characters (``rn``
for ``m``) is always a prototype. A star of two single characters says nothing of its
direction; either one serves, since skeletons are only compared with each other, so the one
that is part of a longer prototype, else stable under NFD, else the lower code point is chosen.
The test suite checks the result is idempotent and gives the known pairs.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from email_validator import EmailNotValidError, validate_email

# The package's JSON keeps the left-to-right marks that confusables.txt puts around
# right-to-left characters in its comments: they are not part of any character's mapping.
_LEFT_TO_RIGHT_MARK = "\u200e"


def _nfd_stable(text: str) -> bool:
    return unicodedata.normalize("NFD", text) == text


def _rank(char: str, in_sequences: set[str]) -> tuple[bool, bool, int]:
    """Which of two characters mapped only to each other is kept as the prototype (lowest)."""
    return (char not in in_sequences, not _nfd_stable(char), ord(char))


@cache
def _prototypes() -> dict[int, str]:
    """Each confusable character (as a code point) and its prototype, for ``str.translate``."""
    # Imported on first use: the package reads its JSON files (about 1 MB) when imported.
    from confusable_homoglyphs.confusables import confusables_data

    linked: dict[str, set[str]] = defaultdict(set)
    for key, entries in confusables_data.items():
        source = key.replace(_LEFT_TO_RIGHT_MARK, "")
        for entry in entries:
            other = entry["c"].replace(_LEFT_TO_RIGHT_MARK, "")
            if source and other and source != other:
                linked[source].add(other)
                linked[other].add(source)
    in_sequences = {char for node in linked if len(node) > 1 for char in node}
    table: dict[int, str] = {}
    for node, neighbours in linked.items():
        if len(node) != 1 or len(neighbours) != 1:
            continue  # a sequence, or a character several others map to: a prototype
        (other,) = neighbours
        if len(other) > 1 or len(linked[other]) > 1:
            table[ord(node)] = other
            continue
        # Two single characters mapped to each other only: keep one, map the other to it.
        if _rank(other, in_sequences) < _rank(node, in_sequences):
            table[ord(node)] = other
    # The JSON takes its sequences from confusables.txt's comments, where a few are written
    # precomposed ("dž" for d, z, caron): decompose and map them until they stay the same, so
    # that, as in UTS #39, the skeleton of a skeleton is itself.
    for code, prototype in table.items():
        for _round in range(8):
            mapped = unicodedata.normalize("NFD", prototype).translate(table)
            mapped = unicodedata.normalize("NFD", mapped)
            if mapped == prototype:
                break
            prototype = mapped
        table[code] = prototype
    return table


def fold(text: str) -> str:
    """``text`` under NFKC and case folding: width forms, ligatures, compatibility letters
    (``ℯ``, ``𝐚``) and case no longer differ."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def tr39_skeleton(text: str) -> str:
    """The skeleton of UTS #39 section 4: NFD, each character replaced by its prototype, NFD."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", decomposed.translate(_prototypes()))


def skeleton(text: str) -> str:
    """The TR39 skeleton of ``text`` once folded (``fold``): equal for two texts that differ
    only by look-alike characters (``раураl`` in Cyrillic and ``paypal``), width or case."""
    return tr39_skeleton(fold(text))


def normalised(address: str) -> str | None:
    """``address`` as the product stores addresses (email-validator's normal form: IDNA for the
    domain, NFC for the local part; then lower case), or None when it is not a valid address."""
    try:
        # test_environment: also accept the reserved "test" domain, as demo and staging use.
        return validate_email(address.strip(), test_environment=True).normalized.lower()
    except EmailNotValidError:
        return None


class LookAlikes:
    """Addresses indexed by skeleton: which one looks like a given address without being it.

    Built once for many look-ups (a roster import compares every row with everyone stored).
    ``key`` is the address's skeleton when the caller has it already."""

    def __init__(self, addresses: Iterable[str] = ()):
        self._by_skeleton: dict[str, list[str]] = defaultdict(list)
        for address in addresses:
            self.add(address)

    def add(self, address: str, key: str | None = None) -> None:
        self._by_skeleton[skeleton(address) if key is None else key].append(address)

    def find(
        self, address: str, *, besides: Iterable[str] = (), key: str | None = None
    ) -> str | None:
        """An indexed address, other than ``address`` itself and those in ``besides``, with the
        skeleton of ``address``; None when there is none."""
        found = self._by_skeleton.get(skeleton(address) if key is None else key)
        if not found:
            return None
        ignored = {address, *besides}
        return next((other for other in found if other not in ignored), None)
