"""What every page must satisfy on every screen: nothing wider than the screen, one visible
<h1>, and, in Portuguese and Spanish, no English sentence that the catalogs translate.

``inspect(page)`` reads everything from the page in one round trip; ``problems_in`` turns it
into plain sentences naming what to fix (the widest element that overflows, with a selector;
the untranslated string, as the catalog writes it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from playwright.sync_api import Page

import cxculture

TRANSLATIONS = Path(cxculture.__file__).resolve().parent / "translations"
MIN_WORDS = 2  # one English word alone is too often a name, a brand or the same word translated
# What a message's text is cut at: markup, and in messages with placeholders, the
# placeholders (%(name)s, %d; "%%" is a literal "%" there).
MARKUP = re.compile(r"<[^>]*>")
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[a-zA-Z]|<[^>]*>")
PERCENT = "\0"  # stands for a literal "%" while placeholders are cut
WORD = re.compile(r"\w+")
SPACES = re.compile(r"\s+")
OFFENDERS_SHOWN = 3

# Runs in the page. An element overflows when its right edge passes the page's width and no
# ancestor clips or scrolls it (a .table-responsive scrolls its table, and is checked itself);
# fixed elements (an off-canvas menu) never widen the page. The text is what a person reads
# or hears: the rendered text, the title, and the labels screen readers announce; parts marked
# as another language (lang="en" on a pt-BR page) or as not to be translated (translate="no")
# are left out, so an English original shown for reference is no untranslated string.
INSPECT = """
(offendersShown) => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const shown = (element) =>
    element.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const describe = (element) => {
    const parts = [];
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      const id = node.id ? "#" + CSS.escape(node.id) : "";
      if (id && document.querySelectorAll(id).length === 1) { parts.unshift(id); break; }
      let part = node.localName + id;
      const classes = [...node.classList].slice(0, 3).map((name) => "." + CSS.escape(name));
      part += classes.join("");
      const parent = node.parentElement;
      if (parent) {
        const same = [...parent.children].filter((other) => other.localName === node.localName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(node) + 1})`;
      }
      parts.unshift(part);
      if (node.localName === "body" || parts.length === 5) break;
    }
    return parts.join(" > ");
  };
  const contained = (element) => {
    for (let node = element; node && node !== root; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.position === "fixed") return true;
      if (node !== element && style.overflowX !== "visible") return true;
    }
    return false;
  };
  const offenders = [];
  if (root.scrollWidth > width) {
    for (const element of document.body.querySelectorAll("*")) {
      const box = element.getBoundingClientRect();
      if (box.right <= width + 0.5 || !shown(element) || contained(element)) continue;
      offenders.push({
        selector: describe(element),
        width: Math.round(box.width),
        right: Math.round(box.right + window.scrollX),
        text: (element.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 60),
      });
    }
    offenders.sort((a, b) => b.width - a.width || b.right - a.right);
  }
  const headings = [...document.querySelectorAll("h1")].filter((heading) => {
    const box = heading.getBoundingClientRect();
    return shown(heading) && box.width > 1 && box.height > 1;
  });
  const foreign = (element) => element.closest("[translate=no]")
    || (element.closest("[lang]")?.lang ?? root.lang) !== root.lang;
  const labels = [];
  const labelled = "[aria-label], [title], [placeholder], img[alt], option, "
    + "input[type=submit], input[type=button]";
  for (const element of document.querySelectorAll(labelled)) {
    if ((element.localName !== "option" && !shown(element)) || foreign(element)) continue;
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      if (element.hasAttribute(name)) labels.push(element.getAttribute(name));
    }
    if (element.localName === "input") labels.push(element.value);
    if (element.localName === "option") labels.push(element.textContent);
  }
  const hidden = [...document.body.querySelectorAll("[translate=no], [lang]")]
    .filter((element) => foreign(element) && !foreign(element.parentElement))
    .map((element) => [element, element.style.getPropertyValue("display"),
                       element.style.getPropertyPriority("display")]);
  for (const [element] of hidden) element.style.setProperty("display", "none", "important");
  const text = document.body.innerText;
  for (const [element, value, priority] of hidden) {
    element.style.setProperty("display", value, priority);
  }
  return {
    lang: root.lang,
    width: width,
    scrollWidth: root.scrollWidth,
    offenders: offenders.slice(0, offendersShown),
    headings: headings.map((heading) => heading.innerText.trim()),
    text: [document.title, text, ...labels].join("\\n"),
  };
}
"""


@dataclass(frozen=True)
class Inspection:
    """What ``INSPECT`` read from a page."""

    lang: str
    width: int
    scroll_width: int
    offenders: list[dict]
    headings: list[str]
    text: str


def inspect(page: Page) -> Inspection:
    found = page.evaluate(INSPECT, OFFENDERS_SHOWN)
    return Inspection(
        found["lang"],
        found["width"],
        found["scrollWidth"],
        found["offenders"],
        found["headings"],
        found["text"],
    )


def overflow_problem(found: Inspection) -> str | None:
    """A sentence naming the widest elements past the screen's edge, or None."""
    if found.scroll_width <= found.width:
        return None
    culprits = "; ".join(
        f"{item['selector']} ({item['width']}px wide, right edge at {item['right']}px"
        + (f', "{item["text"]}"' if item["text"] else "")
        + ")"
        for item in found.offenders
    )
    return (
        f"horizontal overflow: the page is {found.scroll_width}px wide on a {found.width}px screen"
        + (f"; widest: {culprits}" if culprits else "")
    )


def heading_problem(found: Inspection) -> str | None:
    if len(found.headings) == 1:
        return None
    if not found.headings:
        return "no visible <h1>"
    return f"{len(found.headings)} visible <h1>: {found.headings}"


def _fragments(text: str, has_placeholders: bool) -> list[str]:
    """The literal pieces of a message that a page shows as they are: at least two words
    between placeholders and markup, spaces collapsed."""
    cut = PLACEHOLDER.split(text.replace("%%", PERCENT)) if has_placeholders else MARKUP.split(text)
    pieces = (SPACES.sub(" ", piece.replace(PERCENT, "%")).strip() for piece in cut)
    return [piece for piece in pieces if len(WORD.findall(piece)) >= MIN_WORDS]


@cache
def english_fragments(catalog_path: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(message, its fragments) for every English message the catalog translates differently,
    or leaves untranslated (empty or fuzzy, so English is shown).

    A fragment the translation itself keeps in English (a product name) is left out.
    """
    with catalog_path.open("rb") as file:
        catalog = read_po(file)
    found = []
    for message in catalog:
        if not message.id:
            continue  # the header
        english = [message.id] if isinstance(message.id, str) else list(message.id)
        translated = [message.string] if isinstance(message.string, str) else list(message.string)
        translated = [text for text in translated if text]
        if not message.fuzzy and translated and set(translated) <= set(english):
            continue  # the same words in both languages, on purpose
        kept = SPACES.sub(" ", " ".join(translated))
        for text in english:
            pieces = _fragments(text, message.python_format)
            fragments = tuple(piece for piece in pieces if piece not in kept)
            if fragments:
                found.append((text, fragments))
    return tuple(dict.fromkeys(found))


@cache
def _as_words(fragment: str) -> re.Pattern[str]:
    """``fragment`` where it is not part of a longer word ("Log in" is not in "SysLog inputs")."""
    before = r"(?<!\w)" if WORD.match(fragment[0]) else ""
    after = r"(?!\w)" if WORD.match(fragment[-1]) else ""
    return re.compile(before + re.escape(fragment) + after)


def untranslated(text: str, locale: str, translations: Path = TRANSLATIONS) -> list[str]:
    """The English messages of the ``locale`` catalog that appear word for word in ``text``:
    every fragment of the message, since a message is shown whole ("of the" alone, a fragment
    of a longer message, names no message)."""
    text = SPACES.sub(" ", text)
    shown: dict[str, None] = {}
    catalog_path = translations / locale / "LC_MESSAGES" / "messages.po"
    for message, fragments in english_fragments(catalog_path):
        if all(fragment in text and _as_words(fragment).search(text) for fragment in fragments):
            shown[message] = None
    return list(shown)


def problems_in(found: Inspection, locale: str) -> list[str]:
    """Everything wrong with an inspected page shown in ``locale`` (en, pt_BR or es)."""
    problems = []
    expected = locale.replace("_", "-")
    if found.lang != expected:
        problems.append(f'served in "{found.lang}", not in "{expected}"')
    for problem in (overflow_problem(found), heading_problem(found)):
        if problem:
            problems.append(problem)
    if locale != "en":
        shown = untranslated(found.text, locale)
        problems.extend(f"untranslated: {message!r}" for message in shown)
    return problems
