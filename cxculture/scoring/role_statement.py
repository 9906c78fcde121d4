"""The Deming/Drucker test: does a person's own description of their job name the customer?

``classify(text, lang)`` sorts an answer to "what is your job, and who is it for?" into one of
four categories and returns the phrases that decided it, with their character spans:

- ``customer_direct``: the person serves external customers themselves;
- ``customer_indirect``: they serve colleagues, systems or processes so that customers are
  served (the customer is reached through others);
- ``internal_only``: they name internal beneficiaries (colleagues, a boss, "internal
  customers") but no external customer;
- ``no_line_of_sight``: tasks, rules or self only, or a customer named only to be negated or
  waved off ("dealing with clients isn't my thing", "guests are reception's job").

The words live in data files (``cxculture/content/lexicons/<lang>.yaml``), one per language; a
company adds its own trade words in a folder of the same shape (``extra_dir``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

LEXICONS = Path(__file__).resolve().parent.parent / "content" / "lexicons"
LANGUAGES = ("en", "pt", "es")
CATEGORIES = ("customer_direct", "customer_indirect", "internal_only", "no_line_of_sight")
CUSTOMER_CATEGORIES = frozenset({"customer_direct", "customer_indirect"})

NEGATION_REACH = 6  # tokens before a word that a negation still covers, within its clause
AFTER_REACH = 3  # tokens from a customer to a negation that waves it off ("clients aren't my")
CUE_REACH = 4  # tokens between "for/help/support" and the colleague it points to
OBJECT_REACH = 3  # tokens between "data/contracts of" and the customer they label
# Lists whose words also match their plural (-s, -es); the others are matched exactly.
INFLECTED = ("customer", "internal_customer", "internal", "staff", "object_noun")
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
SENTENCE_END = re.compile(r"[.!?;\n]")
CLAUSE_END = re.compile(r"[,:()\u2013\u2014-]\s")
POSSESSIVE = re.compile(r"'s?$")
RELATIVE_PRONOUNS = frozenset({"that", "who", "whom", "que", "quem", "quien", "quienes"})
GENITIVES = frozenset({"of", "de", "do", "da", "dos", "das", "del"})
WORD_LISTS = frozenset({"stopwords", "coordination", "nobody"})  # looked up as sets, never searched
# Places that open a clause about what customers do with the person's work: "the app where
# customers pay", "a web donde los clientes reservan".
WHERE_WORDS = frozenset({"where", "onde", "donde"})
FOR_WORDS = frozenset({"para", "pra", "pros", "pras"})
WHO_WORDS = frozenset({"who", "quem", "quien", "quienes"})
COPULAS = frozenset({"is", "are", "e", "sao", "es", "son"})
PLACE_PREPOSITIONS = frozenset(
    {"in", "at", "inside", "within", "em", "na", "no", "nas", "nos", "numa", "num", "en", "dentro"}
)
# Words that show a role noun is someone else, not the speaker's own job title opening the answer.
DETERMINERS = frozenset(
    {"the", "our", "my", "o", "os", "as", "nosso", "nossos", "nossas", "meus", "minhas"}
    | {"el", "los", "las", "nuestro", "nuestros", "nuestras", "mis"}
)


@dataclass(frozen=True)
class Evidence:
    """A phrase that counted, where it is in the original text, and what it counted as."""

    kind: str
    phrase: str
    start: int
    end: int


@dataclass(frozen=True)
class Classification:
    category: str
    evidence: tuple[Evidence, ...]
    lang: str


@dataclass(frozen=True)
class _Token:
    text: str
    start: int  # character offsets in the original text
    end: int
    sentence: int
    clause: int


@dataclass(frozen=True)
class _Match:
    kind: str
    first: int  # token indexes, end exclusive
    last: int


def normalise(text: str) -> tuple[str, list[int]]:
    """Lower case without accents, and for each character its offset in ``text``."""
    chars: list[str] = []
    offsets: list[int] = []
    for offset, char in enumerate(text.replace("\u2019", "'")):
        for part in unicodedata.normalize("NFKD", char):
            if not unicodedata.combining(part):
                chars.append(part.lower())
                offsets.append(offset)
    return "".join(chars), offsets


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(POSSESSIVE.sub("", word) for word in TOKEN.findall(normalise(phrase)[0]))


def tokenize(text: str) -> list[_Token]:
    """Words with their spans, sentence and clause numbers."""
    flat, offsets = normalise(text)
    tokens: list[_Token] = []
    sentence = clause = 0
    previous_end = 0
    for found in TOKEN.finditer(flat):
        gap = flat[previous_end : found.start()]
        if SENTENCE_END.search(gap):
            sentence += 1
            clause += 1
        elif gap != "-" and (CLAUSE_END.search(gap + " ") or "," in gap):
            clause += 1  # a hyphen inside a word ("check-in") ends no clause
        previous_end = found.end()
        word = POSSESSIVE.sub("", found.group())
        start, end = offsets[found.start()], offsets[found.end() - 1] + 1
        tokens.append(_Token(word, start, end, sentence, clause))
    return tokens


class Lexicon:
    """The phrases of one language, as token sequences, longest first."""

    def __init__(self, lang: str, entries: dict[str, list[str]]):
        self.lang = lang
        self.phrases: dict[str, list[tuple[str, ...]]] = {
            kind: sorted({_words(p) for p in values if _words(str(p))}, key=len, reverse=True)
            for kind, values in entries.items()
        }
        # Phrases by the word they start with (and its plural forms), longest first, so that
        # finding them costs a dictionary look-up per word.
        self._by_first: dict[str, dict[str, list[tuple[str, ...]]]] = {}
        for kind, phrases in self.phrases.items():
            index: dict[str, list[tuple[str, ...]]] = defaultdict(list)
            for phrase in phrases:
                forms = (phrase[0], phrase[0] + "s", phrase[0] + "es")
                for form in forms if kind in INFLECTED else forms[:1]:
                    index[form].append(phrase)
            self._by_first[kind] = index
        self._words: dict[str, frozenset[str]] = {}

    @classmethod
    def load(cls, lang: str, extra_dir: Path | None = None) -> Lexicon:
        """The shipped lexicon of ``lang``, with the company's additions from ``extra_dir``."""
        entries = _read(LEXICONS / f"{lang}.yaml")
        if extra_dir is not None and (extra_dir / f"{lang}.yaml").exists():
            for kind, values in _read(extra_dir / f"{lang}.yaml").items():
                entries.setdefault(kind, []).extend(values)
        return cls(lang, entries)

    def find(self, kind: str, tokens: list[_Token]) -> list[_Match]:
        """Every non-overlapping occurrence of the ``kind`` phrases in ``tokens``."""
        found: list[_Match] = []
        index = 0
        inflected = kind in INFLECTED
        candidates = self._by_first.get(kind, {})
        while index < len(tokens):
            for phrase in candidates.get(tokens[index].text, ()):
                if _matches(phrase, tokens, index, inflected):
                    found.append(_Match(kind, index, index + len(phrase)))
                    index += len(phrase)
                    break
            else:
                index += 1
        return found

    def words(self, kind: str) -> frozenset[str]:
        """The ``kind`` phrases as plain strings (built once per lexicon and kind)."""
        found = self._words.get(kind)
        if found is None:
            found = self._words[kind] = frozenset(
                " ".join(phrase) for phrase in self.phrases.get(kind, ())
            )
        return found


def _read(path: Path) -> dict[str, list[str]]:
    with path.open(encoding="utf-8") as handle:
        # BaseLoader keeps every word a string: plain YAML would read "no" as False.
        # S506 is safe here: BaseLoader resolves no tags, so it builds strings, lists and dicts.
        data = yaml.load(handle, Loader=yaml.BaseLoader) or {}  # noqa: S506
    return {kind: [str(value) for value in values or []] for kind, values in data.items()}


def _matches(phrase: tuple[str, ...], tokens: list[_Token], index: int, inflected: bool) -> bool:
    if index + len(phrase) > len(tokens):
        return False
    for offset, word in enumerate(phrase):
        token = tokens[index + offset].text
        if token != word and not (inflected and token in (word + "s", word + "es")):
            return False
    return True


@cache
def lexicon(lang: str, extra_dir: Path | None = None) -> Lexicon:
    """The lexicon of ``lang``, read once."""
    return Lexicon.load(lang, extra_dir)


def detect_language(
    text: str, extra_dir: Path | None = None, tokens: list[_Token] | None = None
) -> str:
    """``en``, ``pt`` or ``es``: the language whose frequent words the text uses most
    (``tokens``: the text's, when they are at hand)."""
    lowered = text.lower()
    words = [token.text for token in (tokenize(text) if tokens is None else tokens)]
    scores = {}
    for lang in LANGUAGES:
        common = lexicon(lang, extra_dir).words("stopwords")
        scores[lang] = sum(word in common for word in words)
    scores["pt"] += 2 * sum(lowered.count(mark) for mark in ("ã", "õ", "ç", "ê", "ô", "ção"))
    scores["es"] += 2 * sum(lowered.count(mark) for mark in ("ñ", "¿", "¡", "ción", "ué"))
    return max(LANGUAGES, key=lambda lang: scores[lang])


def language_of(locale: str | None) -> str | None:
    """The classifier's language for a product locale (``pt_BR`` is ``pt``)."""
    if not locale:
        return None
    lang = locale.replace("-", "_").split("_")[0].lower()
    return lang if lang in LANGUAGES else None


class _Reading:
    """One pass over a text: the phrases found, and the questions the decision asks."""

    def __init__(self, text: str, lex: Lexicon, tokens: list[_Token] | None = None):
        self.text = text
        self.lex = lex
        self.tokens = tokenize(text) if tokens is None else tokens
        self.found: defaultdict[str, list[_Match]] = defaultdict(list)
        for kind in lex.phrases:
            if kind not in WORD_LISTS:
                self.found[kind] = lex.find(kind, self.tokens)
        # Things named like people ("cajeros automáticos", "caixa multibanco") are neither
        # colleagues nor customers.
        things = {i for m in self.found["thing"] for i in range(m.first, m.last)}
        for kind in ("customer", "internal", "staff"):
            self.found[kind] = [m for m in self.found[kind] if m.first not in things]
        # Staff words ("employees", "colegas") are colleagues that need no cue to be served.
        self.found["internal"] = sorted(
            self.found["internal"] + self.found["staff"], key=lambda m: m.first
        )
        # "internal customers" is internal: its words are not a customer mention.
        taken = {i for m in self.found["internal_customer"] for i in range(m.first, m.last)}
        colleagues = {i for m in self.found["internal"] for i in range(m.first, m.last)}
        self.found["internal"] = [m for m in self.found["internal"] if m.first not in taken]
        # "team members" are colleagues, not the members a gym serves.
        customers = [m for m in self.found["customer"] if not ({m.first} & (taken | colleagues))]
        self.found["customer"] = [m for m in customers if not self._made_internal(m)]
        self.found["internal_customer"] += [m for m in customers if self._made_internal(m)]
        excepted = {i for m in self.found["negation_exception"] for i in range(m.first, m.last)}
        self.found["negation"] = [m for m in self.found["negation"] if m.first not in excepted]
        self.breaks = {m.first for m in self.found["clause_break"]}
        # Colleagues a customer is handed off to ("guests are reception's job") are not served.
        self.handed_to: set[int] = set()
        # "Ninguém sai da minha mesa sem o problema resolvido": "nobody", turned into a yes by a
        # later "without", names the people served even with no customer word.
        people = self.found["customer"] + self.found["internal"] + self.found["internal_customer"]
        nobody = lex.words("nobody")
        for negation in self.found["negation"]:
            phrase = " ".join(t.text for t in self.tokens[negation.first : negation.last])
            if phrase not in nobody or not self.cancelled(negation):
                continue
            if not any(self.same_clause(negation.first, m.first) for m in people):
                self.found["customer"].append(_Match("customer", negation.first, negation.last))
        self.found["customer"].sort(key=lambda m: m.first)

    def _made_internal(self, mention: _Match) -> bool:
        """ "my clients are internal", "clientes internos": an internal word close by."""
        for marker in self.found["internal_marker"]:
            near = -1 <= marker.first - mention.last <= 2 or 0 <= mention.first - marker.last <= 1
            if near and self.tokens[marker.first].sentence == self.tokens[mention.first].sentence:
                return True
        return False

    def same_sentence(self, first: _Match, second: _Match) -> bool:
        """Whether two matches share a sentence with no contrast word between them."""
        if self.tokens[first.first].sentence != self.tokens[second.first].sentence:
            return False
        return not any(first.first < index <= second.first for index in self.breaks)

    def same_clause(self, a: int, b: int) -> bool:
        low, high = min(a, b), max(a, b)
        if self.tokens[low].clause != self.tokens[high].clause:
            return False
        return not any(low < index <= high for index in self.breaks)

    def negation_before(self, match: _Match) -> _Match | None:
        for negation in self.found["negation"]:
            distance = match.first - negation.last
            if 0 <= distance <= NEGATION_REACH and self.same_clause(negation.first, match.first):
                return None if self.cancelled(negation) else negation
        # "Customers? Never." A customer alone in its sentence, answered by a negation.
        sentence = self.tokens[match.first].sentence
        alone = sum(token.sentence == sentence for token in self.tokens) <= 3
        for negation in self.found["negation"]:
            next_sentence = self.tokens[negation.first].sentence == sentence + 1
            starts = negation.first == 0 or self.tokens[negation.first - 1].sentence == sentence
            if alone and next_sentence and starts:
                return negation
        return None

    def cancelled(self, negation: _Match) -> bool:
        """ "Nobody who calls hangs up without a solution", "para que nenhum aluno fique sem
        professor": a later "without" or "lack" in the clause turns the negation into a yes."""
        if any(m.first == negation.first for m in self.found["privative"]):
            return False  # "sem contacto com clientes, sem chefe": two denials, not a yes
        # "para que nenhum passageiro fique à espera": the denial is the outcome the work is
        # for, so the customer is still the one served.
        if any(
            purpose.first <= negation.first <= purpose.last + 1 for purpose in self.found["purpose"]
        ):
            return True
        return any(
            privative.first >= negation.last and self.same_clause(negation.first, privative.first)
            for privative in self.found["privative"]
        )

    def waved_off(self, mention: _Match) -> _Match | None:
        """ "Dealing with clients isn't my thing", "de los huéspedes se encarga recepción": the
        customer is named to say it is someone else's concern."""
        privatives = {m.first for m in self.found["privative"]}
        for negation in self.found["negation"]:
            distance = negation.first - mention.last
            if not (
                0 <= distance <= AFTER_REACH and self.same_clause(mention.first, negation.first)
            ):
                continue
            if negation.first in privatives:
                continue  # "ningún cliente se va sin mi ayuda" is no wave-off
            for own in self.found["dismissal"]:
                if 0 <= own.first - negation.last <= AFTER_REACH and self.same_clause(
                    negation.first, own.first
                ):
                    return negation
        # "Quem fala com os clientes é o pessoal da loja": a sentence that opens with "who"
        # and ends on a colleague hands the customer to them.
        opener = self.sentence_opener(mention)
        if opener is not None:
            for colleague in self.found["internal"]:
                gap = [t.text for t in self.tokens[mention.last : colleague.first]]
                if (
                    1 <= len(gap) <= 3
                    and gap[0] in COPULAS
                    and self.same_sentence(mention, colleague)
                ):
                    self.handed_to |= {
                        c.first
                        for c in self.found["internal"]
                        if c.first >= colleague.first and self.same_clause(colleague.first, c.first)
                    }
                    return opener
        for handoff in self.found["handoff"]:
            if handoff.first < mention.last or not self.same_sentence(mention, handoff):
                continue
            if any(0 <= c.first - handoff.last <= 2 for c in self.found["internal"]):
                self.handed_to |= {
                    c.first
                    for c in self.found["internal"]
                    if c.first >= handoff.last and self.same_clause(handoff.first, c.first)
                }
                return handoff
        for colleague in self.found["internal"]:
            if colleague.first < mention.last or not self.same_sentence(mention, colleague):
                continue
            if any(m.first == colleague.last for m in self.found["handoff_after"]):
                self.handed_to.add(colleague.first)
                return colleague  # "talking to guests is reception's job"
        return None

    def sentence_opener(self, mention: _Match) -> _Match | None:
        """The "who" that opens the customer's sentence, a few words before it."""
        sentence = self.tokens[mention.first].sentence
        for index in range(max(0, mention.first - 4), mention.first):
            token = self.tokens[index]
            starts = index == 0 or self.tokens[index - 1].sentence != sentence
            if token.text in WHO_WORDS and token.sentence == sentence and starts:
                return _Match("handoff", index, index + 1)
        return None

    def unmet(self, mention: _Match) -> _Match | None:
        """ "The passengers never see me", "não falo com eles": the customer is who the work is
        for, but the person says they do not meet them."""
        sentence = self.tokens[mention.first].sentence
        for negation in self.found["negation"]:
            if negation.first < mention.last:
                continue
            if self.tokens[negation.first].sentence not in (sentence, sentence + 1):
                continue
            if any(0 <= m.first - negation.last <= 1 for m in self.found["unmet"]):
                return negation
        return None

    def only_directly(self, negation: _Match, mention: _Match) -> bool:
        """Whether the negation denies only direct contact ("not ... myself", "não ...
        diretamente"): the person may still reach customers through others."""
        clause = self.tokens[mention.first].clause
        return any(self.tokens[m.first].clause == clause for m in self.found["directly"])

    def labels_a_thing(self, mention: _Match) -> bool:
        """ "customer data", "contratos dos clientes": the customer names records, not a person."""
        for noun in self.found["object_noun"]:
            if not self.same_clause(noun.first, mention.first):
                continue
            if noun.first == mention.last:  # "customer data", "customer satisfaction dashboards"
                return True
            between = [t.text for t in self.tokens[noun.last : mention.first]]
            # "dados dos clientes", "paineis de satisfacao de clientes"
            if 0 <= len(between) <= OBJECT_REACH and between and between[0] in GENITIVES:
                return True
        return False

    def reached_through(self, mention: _Match) -> _Match | None:
        """The link that puts this customer at the end of someone else's work, if any."""
        sentence = self.tokens[mention.first].sentence
        for purpose in self.found["purpose"]:
            if purpose.last <= mention.first and self.tokens[purpose.first].sentence == sentence:
                return purpose
        coordination = self.lex.words("coordination")
        # The same sentence, commas allowed ("the waiters, who serve our guests"), not across
        # a contrast ("my team runs the gym, but I coach the members myself").
        for colleague in self.found["internal"]:
            if colleague.last > mention.first or not self.same_sentence(colleague, mention):
                continue
            if self.is_a_place(colleague) or self.is_own_role(colleague):
                continue
            if self.negation_before(colleague) is not None:
                continue
            between = [t.text for t in self.tokens[colleague.last : mention.first]]
            if between and not set(between) <= coordination:
                return colleague  # "the agents who serve customers", "staff help customers"
            if self.uses_the_work(colleague):
                return colleague  # "the materials that the tutors use with the students"
        # "para os clientes encontrarem tudo": a Portuguese personal infinitive after "para"
        # makes the customer the one the work is for.
        if mention.last < len(self.tokens):
            after = self.tokens[mention.last].text
            for index in range(max(0, mention.first - 2), mention.first):
                if (
                    self.tokens[index].text in FOR_WORDS
                    and after.endswith("rem")
                    and len(after) > 5
                ):
                    return _Match("purpose", index, index + 1)
        # "the app that customers use", "la web donde los clientes reservan": the customer uses
        # what the person makes.
        used = self.uses_what_is_made(mention)
        if used is not None:
            return used
        # "the policyholders (that) they look after": others serve this customer.
        for others in self.found["others"]:
            gap = [t.text for t in self.tokens[mention.last : others.first]]
            if gap == [] or (len(gap) == 1 and gap[0] in RELATIVE_PRONOUNS):
                return others
        return None

    def uses_what_is_made(self, mention: _Match) -> _Match | None:
        """A relative word just before the customer and a "use" verb just after it."""
        before = {t.text for t in self.tokens[max(0, mention.first - 3) : mention.first]}
        before_words = RELATIVE_PRONOUNS | WHERE_WORDS
        # After "que" only a verb of use counts: "garanto que o cliente recebe" is direct.
        if before & WHERE_WORDS:
            verbs = self.found["customer_uses"] + self.found["customer_does"]
        elif before & RELATIVE_PRONOUNS:
            verbs = self.found["customer_uses"]
        else:
            return None
        for verb in verbs:
            if 0 <= verb.first - mention.last <= 1 and self.same_clause(mention.first, verb.first):
                return verb
            # "la app que usan los pasajeros": the verb comes first.
            verb_first = 0 <= mention.first - verb.last <= 2 and verb.first > 0
            if (
                verb_first
                and self.same_clause(verb.first, mention.first)
                and self.tokens[verb.first - 1].text in before_words
            ):
                return verb
        return None

    def uses_the_work(self, colleague: _Match) -> bool:
        """ "the scripts that our agents use": a relative word just before the colleague."""
        before = [t.text for t in self.tokens[max(0, colleague.first - 3) : colleague.first]]
        return bool(set(before) & RELATIVE_PRONOUNS)

    def is_own_role(self, match: _Match) -> bool:
        """ "I am a nurse", "sou motorista", or a bare job title opening the answer
        ("Recepcionista de pousada, ..."): the person's own job, not a colleague."""
        if any(0 <= match.first - role.last <= 2 for role in self.found["self_role"]):
            return True
        # A plural opening the answer names others: "Employees come to me with questions".
        last = self.tokens[match.last - 1].text
        plural = last.endswith("s") and not last.endswith("ss")
        opening = self.tokens[: match.first]
        return (
            match.first <= 2
            and not plural
            and self.tokens[match.first].clause == 0
            and not any(token.text in DETERMINERS for token in opening)
        )

    def but_then_reaches(self, mention: _Match) -> _Match | None:
        """ "I never talk to users, but I build what lets them...": after a contrast, a purpose
        link or a colleague puts the negated customer at the end of the person's work."""
        contrast = next((b for b in sorted(self.breaks) if b >= mention.last), None)
        if contrast is None:
            return None
        later = [m for m in self.found["purpose"] + self.found["internal"] if m.first > contrast]
        return min(later, key=lambda m: m.first) if later and self.found["purpose"] else None

    def after_genitive(self, match: _Match) -> bool:
        return match.first > 0 and self.tokens[match.first - 1].text in GENITIVES

    def is_a_place(self, match: _Match) -> bool:
        """ "in the store", "na loja", "o chat da loja": where the person works, not whom they
        serve."""
        before = {t.text for t in self.tokens[max(0, match.first - 2) : match.first]}
        return bool(before & (PLACE_PREPOSITIONS | GENITIVES))

    def internal_beneficiary(self) -> _Match | None:
        for match in self.found["internal_customer"]:
            if self.negation_before(match) is None:
                return match
        organisations = {m.first for m in self.found["organisation"]}
        for colleague in self.found["internal"]:
            if self.negation_before(colleague) is not None or colleague.first in self.handed_to:
                continue
            if colleague.first in organisations and self.after_genitive(colleague):
                continue  # "a política da empresa" names whose rules, not whom they serve
            for cue in self.found["beneficiary_cue"]:
                distance = colleague.first - cue.last
                if 0 <= distance <= CUE_REACH and self.same_clause(cue.first, colleague.first):
                    return colleague
            # "the dashboards that the leadership team reviews": they use what the person makes.
            if self.uses_the_work(colleague):
                return colleague
            # "the reports my manager asks for": the colleague asks for the work.
            if any(m.first == colleague.last for m in self.found["beneficiary_after"]):
                return colleague
        # "payroll for all the staff", "as dúvidas dos trabalhadores": staff need no cue.
        for staff in self.found["staff"]:
            if staff.first in self.handed_to:
                continue
            if self.negation_before(staff) is None and not self.is_own_role(staff):
                return staff
        return None

    def evidence(self, kind: str, match: _Match) -> Evidence:
        start, end = self.tokens[match.first].start, self.tokens[match.last - 1].end
        return Evidence(kind, self.text[start:end], start, end)


def classify(text: str, lang: str | None = None, extra_dir: Path | None = None) -> Classification:
    """The category of a role statement, the phrases that decided it, and its language."""
    tokens = tokenize(text)
    lang = language_of(lang) or detect_language(text, extra_dir, tokens)
    reading = _Reading(text, lexicon(lang, extra_dir), tokens)
    evidence: list[Evidence] = []
    direct = indirect = False
    only_directly_denied = False
    for mention in reading.found["customer"]:
        negation = reading.negation_before(mention)
        if negation is not None:
            evidence += [
                reading.evidence("negation", negation),
                reading.evidence("negated_customer", mention),
            ]
            only_directly_denied |= reading.only_directly(negation, mention)
            link = reading.but_then_reaches(mention)
            if link is not None:
                indirect = True
                evidence.append(reading.evidence("link", link))
            continue
        waved_off = reading.waved_off(mention)
        if waved_off is not None:
            evidence += [
                reading.evidence("dismissal", waved_off),
                reading.evidence("negated_customer", mention),
            ]
            continue
        if reading.labels_a_thing(mention):
            evidence.append(reading.evidence("customer_as_label", mention))
            continue
        link = reading.reached_through(mention) or reading.unmet(mention)
        if link is None:
            direct = True
            evidence.append(reading.evidence("customer", mention))
        else:
            indirect = True
            evidence += [reading.evidence("link", link), reading.evidence("customer", mention)]
    if only_directly_denied and not (direct or indirect):
        # "I don't talk to customers myself, but I build the tools the support team uses":
        # no direct contact, yet the customer is who the work is for.
        helper = next(
            (
                colleague
                for colleague in reading.found["internal"] + reading.found["purpose"]
                if reading.negation_before(colleague) is None
            ),
            None,
        )
        if helper is not None:
            indirect = True
            evidence.append(reading.evidence("link", helper))
    if direct or indirect:
        category = "customer_direct" if direct else "customer_indirect"
    else:
        beneficiary = reading.internal_beneficiary()
        category = "no_line_of_sight"
        if beneficiary is not None:
            category = "internal_only"
            evidence.append(reading.evidence("internal", beneficiary))
    return Classification(category, tuple(_in_order(evidence)), lang)


def _in_order(evidence: Iterable[Evidence]) -> list[Evidence]:
    return sorted(set(evidence), key=lambda item: (item.start, item.end, item.kind))
