"""Obligation typing (issue 8, item 7): what kind of obligation each provision of the Convention and
the Protocols lays on a State Party, read from its English words by an ordered rule set.

Four types, the SKOS scheme ``obligation-type`` (``ontology/vocabularies/obligation-type.ttl``),
after the categories of the UNODC Legislative Guides:

``mandatory``
    the State must act: "shall adopt", "shall ensure", "shall take", "shall not decline"... A
    qualifier ("subject to the basic concepts of its legal system", "in accordance with fundamental
    principles of its domestic law", "shall, as appropriate, ...", "to the extent possible") leaves
    the obligation mandatory; :attr:`Verdict.qualified` says that one was found.
``to-consider``
    the State must consider or endeavour: "shall consider", "shall endeavour", "shall seek to",
    "shall strive", "shall give (sympathetic) consideration", "are called upon", "are encouraged".
``optional``
    the State may: "may", "may consider" (no duty even to consider), "shall not be required".
``none``
    no obligation on a State: definitions ("... shall mean"), scope and saving clauses ("This
    Convention shall apply", "Nothing in this Convention shall...", "shall not be construed",
    "shall not affect", "without prejudice"), duties of other bodies (the Conference of the Parties,
    the Secretary-General, the secretariat), final clauses (entry into force, signature, deposit,
    amendment, denunciation) and statements without a modal verb.

The rules, in the order they are tried on a unit's own words (:func:`classify`; first match wins;
rules 2-4 read the first sentence only, so that a later "This paragraph shall not affect ..." does not
cancel the obligation the sentence before it lays down):

1. no words at all: no verdict (see the tree rules below);
2. a definition: "shall mean" / "“...” means", or the chapeau "For the purposes of this Protocol:" →
   ``none`` (and every unit listed under that chapeau is a definition too, whatever its verb:
   "The consent of a victim ... shall be irrelevant");
3. a saving or scope clause: "nothing in/contained in this ...", "shall not be construed",
   "shall not affect", "shall be without prejudice", "shall not apply", "shall be interpreted",
   "shall be regarded as", "shall apply, mutatis mutandis", "shall apply" with "this
   Convention/Protocol/article" or "the provisions of ..." as its subject → ``none``;
4. a duty of another body or a final clause: the subject before the first modal names the
   Conference of the Parties, the Secretary-General, the secretariat, a depositary, or the verb is
   "enter into force", "be open for signature", "be deposited", "be subject to ratification"... → ``none``;
5. "shall not be required" → ``optional`` (a State is released, not bound);
6. the first modal phrase of the text decides ("as may be necessary" and "may have been" are not
   modals; a parenthesis between commas after "shall" is skipped and recorded as a qualifier):
   "shall consider/endeavour/seek/strive/give ... consideration", "are called upon", "are encouraged"
   → ``to-consider``; "may not" (a prohibition: "may not refuse") → ``mandatory``; "may consider",
   "may" → ``optional``; any other "shall", "undertake to" → ``mandatory``;
7. no modal: no verdict.

Tree rules (:func:`assign`), for a unit whose own words give no verdict:

a. a unit listed under words that end in a colon (a chapeau: "Each State Party shall adopt ... to
   establish as criminal offences ...:") completes that sentence and takes its parent's type;
b. otherwise the strongest type among its parts (mandatory > to-consider > optional > none): so an
   article without words of its own is as strong as its strongest paragraph;
c. otherwise ``none``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MANDATORY, CONSIDER, OPTIONAL, NONE = "mandatory", "to-consider", "optional", "none"
#: The notations of the scheme, strongest first.
TYPES = (MANDATORY, CONSIDER, OPTIONAL, NONE)
LABELS = {MANDATORY: "Mandatory", CONSIDER: "To consider", OPTIONAL: "Optional", NONE: "No obligation"}
SCHEME = "obligation-type"

_DEFINITION = re.compile(r"\bshall mean\b|^“[^”]+” means\b")
#: The chapeau of a list of definitions: what follows it defines, whatever its verb.
_DEFINITIONS = re.compile(r"^for the purposes? of this (?:convention|protocol|article)\s*:$")
_SAVING = re.compile(
    r"^nothing (?:contained )?in this\b|\bshall not be construed\b|\bshall not affect\b|"
    r"\bshall be without prejudice\b|\bshall not apply\b|\bshall be interpreted\b|\bshall be regarded as\b|"
    r"\bshall (?:also )?apply,? mutatis mutandis\b|^the provisions of (?:this|the) [a-z ]+ shall (?:also )?apply\b|"
    r"\bshall be as provided for\b|"
    r"^this (?:convention|protocol|article)(?: and [a-z ]+)?,? (?:shall apply|shall,? mutatis mutandis, apply|"
    r"applies|shall be interpreted|shall apply)")
_OTHER_BODY = re.compile(
    r"conference of the parties|secretary-general|secretariat|depositary|"
    r"^(?:this|the) (?:convention|protocol)\b|^(?:any|an) amendment|^amendments?\b|"
    r"^(?:the )?instruments? of (?:ratification|acceptance|approval|accession)|"
    r"^(?:such )?(?:a )?denunciation|^the original of")
_FINAL_CLAUSE = re.compile(
    r"shall (?:\w+ )?(?:enter into force|be open for signature|be deposited|be subject to (?:ratification|"
    r"acceptance|approval)|become effective|cease to be a party|be binding|be open for accession|"
    r"be submitted to arbitration)|shall exercise their right to vote|\bmay denounce\b|\bmay propose an amendment\b|\bmay, at the time of\b|"
    r"\bmay at any time withdraw\b|\bmay, at any time\b|\bmay withdraw\b|\bmay declare\b")
_SENTENCE = re.compile(r"(?<=[a-z)])\.\s+(?=[a-z“(])")
_RELEASED = re.compile(r"\bshall not be required\b")
_NOT_MODAL = re.compile(r"\b(?:as|that|which|who|whom|whatever) may (?:be|have|become|reasonably|also)\b|"
                        r"\bmay have been\b|\bmay be necessary\b|\bmay be required\b|\bas the case may be\b")
#: "shall" with an optional parenthesis between commas, then the verb phrase; or another modal.
_MODAL = re.compile(
    r"\b(?P<modal>shall|may)\b(?P<aside>,[^,:]{1,160}(?:,|:|$))?\s*(?P<phrase>(?:not\s+)?(?:also\s+|in particular,?\s+|"
    r"further\s+|each\s+|thereupon\s+|promptly\s+)?[a-z-]+(?:\s+[a-z-]+){0,2})?"
    r"|\b(?P<called>are called upon|are encouraged|is encouraged|undertake to)\b")
_CONSIDER_VERB = re.compile(r"^(?:not\s+)?(?:also\s+|further\s+|each\s+)?(?:consider|endeavour|seek to|seek\b|strive|"
                            r"give (?:sympathetic |due |favourable )?consideration|make every effort|"
                            r"explore|afford.*consideration)")
_QUALIFIER = re.compile(
    r"subject to the (?:basic concepts|legal principles|constitutional principles|fundamental principles)|"
    r"in accordance with (?:the )?fundamental principles|consistent with its (?:legal system|legal principles|"
    r"domestic law)|to the extent (?:appropriate|possible|permitted)|to the greatest extent possible|"
    r"where appropriate|as appropriate|if (?:so )?required by|in accordance with (?:its|their) domestic law|"
    r"within (?:its|their) (?:means|domestic legal system)|within the limits of", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    """The type a text gives (None: its words give none), the rule that decided, and whether a
    qualifier softens a mandatory obligation."""

    type: str | None
    rule: str
    qualified: bool = False


def _normal(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().split())


def classify(text: str | None) -> Verdict:
    """The verdict the words of one unit give by themselves (rules 1-7 of the module docstring)."""
    if not text or not text.strip():
        return Verdict(None, "no words")
    words = _normal(text)
    qualified = bool(_QUALIFIER.search(words))
    first = _SENTENCE.split(words, maxsplit=1)[0]  # rules 2-4 read the first sentence only
    if _DEFINITIONS.match(words):
        return Verdict(NONE, "definitions")
    if _DEFINITION.search(first):
        return Verdict(NONE, "definition")
    if _SAVING.search(first):
        return Verdict(NONE, "saving or scope clause")
    if _FINAL_CLAUSE.search(first):
        return Verdict(NONE, "final clause")
    scan = _NOT_MODAL.sub(" ", words)
    found = _MODAL.search(scan)
    if found is None:
        return Verdict(None, "no modal")
    subject = scan[:found.start()]
    if _OTHER_BODY.search(subject.strip()):
        return Verdict(NONE, "duty of another body")
    if _RELEASED.search(scan):
        return Verdict(OPTIONAL, "shall not be required")
    if found.group("called"):
        called = found.group("called")
        return Verdict(MANDATORY, "undertake to", qualified) if called == "undertake to" \
            else Verdict(CONSIDER, called)
    phrase = found.group("phrase") or ""
    if found.group("aside"):
        qualified = True
    if found.group("modal") == "may" and phrase.startswith("not "):
        return Verdict(MANDATORY, "may not")  # "States Parties may not refuse ...": a prohibition
    if found.group("modal") == "may":
        return Verdict(OPTIONAL, "may consider" if phrase.startswith("consider") else "may")
    if _CONSIDER_VERB.match(phrase):
        return Verdict(CONSIDER, "shall " + phrase.split()[0])
    return Verdict(MANDATORY, "shall", qualified)


def strongest(types: Iterable[str]) -> str:
    """The strongest of ``types`` (mandatory > to-consider > optional > none); ``none`` if empty."""
    ranked = [TYPES.index(t) for t in types if t in TYPES]
    return TYPES[min(ranked)] if ranked else NONE


def assign(root, *, text=lambda unit: unit.text.get("en"), parts=lambda unit: unit.parts,
           reference=lambda unit: unit.reference) -> dict[str, str]:
    """Reference → obligation type for ``root`` and every unit below it, by :func:`classify` and the
    tree rules a-c. The defaults read :class:`loaders.instruments.Provision`."""
    result: dict[str, str] = {}

    def visit(unit, inherited: str | None, defining: bool = False) -> str:
        words = text(unit)
        judged = classify(words)
        verdict = NONE if defining else judged.type
        if verdict is None and inherited is not None:
            verdict = inherited
        # a chapeau hands its type to the units that complete it; a unit without words of its own
        # (a bare "a)" heading its items) is transparent
        opens = not words or words.rstrip().endswith(":")
        chapeau = verdict if opens else None
        defines = defining or judged.rule == "definitions"
        below = [visit(part, chapeau, defines) for part in parts(unit)]
        if verdict is None:
            verdict = strongest(below) if below else NONE
        result[reference(unit)] = verdict
        return verdict

    visit(root, None)
    return result
