"""Akoma Ntoso 3.0: what the readers of its acts (loaders/legislation.py) and of its judgments
(loaders/judgments.py) share. Each reader maps its own document kind; this module says which
namespaces are Akoma Ntoso, takes the one document out of an ``akomaNtoso`` element, reads a
country and a language code as the FRBR metadata gives them, the words of an element, and mints a
law id from a work URI (an act's, a judgment's, or the act a reference names).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pycountry

from sherloc_kg.errors import Location, SourceError

from .xml_source import split_tag

#: The Akoma Ntoso 3.0 namespace, and its committee (CSDnn) and working (WDnn) drafts.
NAMESPACE = re.compile(r"^http://docs\.oasis-open\.org/legaldocml/ns/akn/3\.0(?:/(?:CSD|WD)\d{1,2})?$")
#: Elements whose words are not the text of the unit holding them.
NOTES = frozenset({"noteRef", "authorialNote", "note", "eol", "eop"})
#: Elements within a line of text: no word break around them.
INLINE = frozenset({"sup", "sub", "i", "b", "u", "span", "abbr", "ref", "rref", "mref", "term", "def", "date",
                    "docTitle", "shortTitle", "docNumber", "mod", "quotedText", "inline", "marker"})

#: Where a document of another kind belongs, said in the refusal.
_KIND_HINTS = {"act": " (load it as legislation)", "judgment": " (load it as a case)"}


def document(root: ET.Element, namespace: str, file: str, expected: str) -> ET.Element:
    """The one document an ``akomaNtoso`` element holds, refused unless it is of the ``expected`` kind."""
    documents = [child for child in root if split_tag(child.tag)[0] == namespace]
    if not documents:
        raise SourceError("the akomaNtoso element holds no document", Location(file, 1))
    kind = split_tag(documents[0].tag)[1]
    if kind != expected:
        article = "an" if kind[:1] in "aeiou" else "a"
        wanted = "an" if expected[:1] in "aeiou" else "a"
        raise SourceError(f"this Akoma Ntoso document is {article} {kind}, not {wanted} {expected}"
                          f"{_KIND_HINTS.get(kind, '')}", Location(file, 1))
    return documents[0]


def law_id_from_uri(uri: str) -> str:
    """``/akn/lu/act/loi/1999-05-31/n6`` → ``akn-lu-act-loi-1999-05-31-n6``; scheme and host dropped."""
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", uri)
    segments = [re.sub(r"[^A-Za-z0-9._~-]+", "-", s).strip("-") for s in path.split("/")]
    return "-".join(s for s in segments if s) or "unnamed"


def other_act(href: str, work_uri: str, country: str) -> tuple[str, str] | None:
    """(ISO3, law id) of the act an href names, or None: an AKN URI (``/akn/lu/act/...``) gives
    its country; an ELI path with no host, or on the host of ``work_uri`` (the document's own), is
    of ``country``. Anything else (a fragment, an unknown country, another host's ELI, a document
    that is no act) names no act: nothing is guessed."""
    href = href.partition("#")[0].strip()
    host = re.match(r"^[a-z][a-z0-9+.-]*://([^/]*)", href)
    own_host = re.match(r"^[a-z][a-z0-9+.-]*://([^/]*)", work_uri)
    path = href[host.end():] if host else href
    segments = [s for s in path.split("/") if s]
    if not segments or " " in path:
        return None
    if segments[0] == "akn":
        if len(segments) < 4 or segments[2] != "act":
            return None
        try:
            other_country = country_code(segments[1], Location("?"))
        except SourceError:
            return None
        work = []
        for segment in segments:
            if "@" in segment or segment.startswith(("!", "~")):
                break
            work.append(segment)
        if work and work[-1] == "main":  # the component name of older AKN URIs: /akn/uk/act/.../main
            work.pop()
        return other_country, law_id_from_uri("/" + "/".join(work))
    if "eli" in segments and (host is None or (own_host is not None and host[1] == own_host[1])):
        return country, law_id_from_uri(path)
    return None


def country_code(code: str, where: Location) -> str:
    """The ISO 3166-1 alpha-3 code of an ``FRBRcountry`` value: alpha-2 (``lu``; ``uk`` means GB), a
    subdivision code (``GB-UKM``), alpha-3, or a URI ending in one (``.../country/LUX``); a
    SourceError at ``where`` when it is none of these."""
    raw = code.rstrip("/").rsplit("/", 1)[-1].strip()
    candidate = raw.split("-")[0].upper()
    if candidate == "UK":
        candidate = "GB"
    found = None
    if len(candidate) == 2:
        found = pycountry.countries.get(alpha_2=candidate)
    elif len(candidate) == 3:
        found = pycountry.countries.get(alpha_3=candidate)
    if found is None:
        message = ("no FRBRcountry in FRBRWork" if not code else
                   f"FRBRcountry {code!r} is not a known country code (ISO 3166 alpha-2 or alpha-3)")
        raise SourceError(message, where)
    return found.alpha_3


def language_code(code: str) -> str | None:
    """An ``FRBRlanguage`` value as a language tag (``FRA``, ``fra``, ``fre``, ``fr`` → ``fr``), or
    None when it is not one."""
    raw = code.rstrip("/").rsplit("/", 1)[-1].strip().lower()
    if re.fullmatch(r"[a-z]{2}(-[a-z0-9]+)*", raw):
        return raw
    if len(raw) == 3:
        found = pycountry.languages.get(alpha_3=raw) or pycountry.languages.get(bibliographic=raw)
        if found is not None:
            return getattr(found, "alpha_2", None) or raw
    return None


def text(element: ET.Element, namespace: str, skip: set[int] | None = None) -> str:
    """The words of ``element``: foreign-namespace metadata, notes and ``skip`` left out."""
    parts: list[str] = []

    def walk(node: ET.Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            child_ns, local = split_tag(child.tag)
            if child_ns == namespace and local not in NOTES and id(child) not in (skip or ()):
                inline = local in INLINE
                if not inline:
                    parts.append(" ")
                walk(child)
                if not inline:
                    parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return " ".join("".join(parts).split())
