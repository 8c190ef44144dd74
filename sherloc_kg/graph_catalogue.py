"""What each named graph is, under which licence, and where its data come from (issue 19, item 6).

One entry per graph of :data:`sherloc_kg.iris.GRAPHS`: a title, a description, the licence the
graph's data are given under, the upstream sources (each with its own licence) and a lineage
statement. The licences and sources are those the repository's provenance notes give (README "Data
and licences", ``data/*/PROVENANCE.md``); a graph whose parts come under different terms (the
instruments' texts, the national legislation) has a licence document of its own, under the base
(``{base}dataset#licence-{graph}``), saying which part is under which terms.

:func:`graph_statements` turns the table into triples about each graph IRI: ``sherloc-kg init``
writes them into the provenance graph (public graphs) and the restricted provenance graph
(restricted ones, without titles: :func:`restricted_statements`), so a dump says, graph by graph,
its licence (``dcterms:license``), its sources (``dcterms:source``) and its lineage
(``dcterms:provenance``, a ``dcterms:ProvenanceStatement`` ``{graph}#lineage``); ``/dataset``
gives the same on each ``void:subset`` and on each graph's distributions (api/dcat.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal, URIRef

from .access import PUBLIC_GRAPHS, is_restricted
from .iris import GRAPHS, Iris
from .namespaces import DCTERMS, RDF, RDFS
from .store.contract import Triple


@dataclass(frozen=True)
class Licence:
    iri: str
    title: str


CC_BY_4 = Licence("https://creativecommons.org/licenses/by/4.0/", "Creative Commons Attribution 4.0 International")
APACHE_2 = Licence("https://www.apache.org/licenses/LICENSE-2.0", "Apache License 2.0")
OGL_CANADA = Licence("https://open.canada.ca/en/open-government-licence-canada", "Open Government Licence – Canada")
UN_TERMS = Licence("https://www.un.org/en/about-us/terms-of-use", "United Nations terms of use")
#: Official texts the law of their State leaves free of copyright (Swiss Copyright Act art. 5, Dutch
#: Auteurswet art. 11): no licence document, a statement.
PUBLIC_OFFICIAL = Licence("", "official texts free of copyright where published (Swiss Copyright Act art. 5, "
                              "Dutch Auteurswet art. 11)")

#: The licence of the project's own data (the ontology, vocabularies, editors' claims, what the
#: rules infer, the provenance, and what editors and States load).
OWN = CC_BY_4


@dataclass(frozen=True)
class Source:
    iri: str
    title: str
    licence: Licence


SHERLOC_PORTAL = Source("https://sherloc.unodc.org/", "SHERLOC, UNODC's knowledge management portal", OWN)
SHERLOC_CASES = Source("https://github.com/xihaoCCC/SHERLOC_Case_Analysis",
                       "xihaoCCC/SHERLOC_Case_Analysis (metadata of SHERLOC case-law records)", APACHE_2)
UNTC_UNTOC = Source("https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-12&chapter=18&clang=_en",
                    "United Nations Treaty Collection, status of the Convention (chapter XVIII, 12)", UN_TERMS)
DUTCH_TREATIES = Source("https://github.com/statengeneraal/laws-markdown",
                        "Dutch treaty database (BWBV), as statengeneraal/laws-markdown", PUBLIC_OFFICIAL)
FEDLEX = Source("https://www.fedlex.admin.ch/", "Swiss Fedlex (French, German and Italian texts)", PUBLIC_OFFICIAL)
INFOLEG = Source("http://www.infoleg.gob.ar/", "Argentina, InfoLEG (Spanish texts)", CC_BY_4)
JUSTICE_CANADA = Source("https://github.com/justicecanada/laws-lois-xml", "Justice Canada, consolidated Acts (XML)",
                        OGL_CANADA)
LEGILUX = Source("https://legilux.public.lu/", "Legilux, Luxembourg's official journal", CC_BY_4)
COUNTRYCODE = Source("https://github.com/vincentarelbundock/countrycode",
                     "countrycode (the UN Member States' names in the six UN languages; facts)", OWN)
UNODC_REVIEW = Source("https://www.unodc.org/unodc/en/organized-crime/intro/review-mechanism-untoc/home.html",
                      "The Mechanism for the Review of the Implementation of the Convention and its Protocols", OWN)


@dataclass(frozen=True)
class GraphInfo:
    title: str
    description: str
    sources: tuple[Source, ...]
    lineage: str
    #: The graph's licence; None: its parts come under their sources' licences (a composite document).
    licence: Licence | None = OWN


CATALOGUE: dict[str, GraphInfo] = {
    "ontology": GraphInfo("Ontology", "The SHERLOC-KG ontology: classes and properties of the model.", (),
                          "Written by the SHERLOC-KG project (ontology/sherloc.ttl)."),
    "vocabularies": GraphInfo("Vocabularies", "The SKOS concept schemes: crime types, cross-cutting issues, TIP "
                              "elements, court levels and the rest.", (),
                              "Written by the SHERLOC-KG project (ontology/vocabularies/)."),
    "instruments": GraphInfo("Instruments", "The Convention and its three Protocols, every provision with its text in "
                             "English, Dutch, French, Spanish, German and Italian.", (DUTCH_TREATIES, FEDLEX, INFOLEG),
                             "Built from the treaty texts of the Dutch treaty database (English and Dutch), Swiss "
                             "Fedlex (French, German, Italian) and Argentina's InfoLEG (Spanish), aligned on the "
                             "English provision tree (data/convention-texts/PROVENANCE.md).", None),
    "countries": GraphInfo("Countries", "States, with their names in the six UN languages and ISO 3166 and M49 codes, "
                           "and international or regional jurisdictions.", (COUNTRYCODE,),
                           "The UN Member States' names from the countrycode project, ISO names and codes from "
                           "pycountry, the international bodies and regional organizations written by the project "
                           "(data/PROVENANCE-un-names.md)."),
    "cases": GraphInfo("Court cases", "Court cases of the SHERLOC case law database (metadata facts).",
                       (SHERLOC_CASES, SHERLOC_PORTAL),
                       "The trafficking-in-persons cases SHERLOC listed on 9 August 2026, from the "
                       "xihaoCCC/SHERLOC_Case_Analysis data set (data/cases/PROVENANCE.md), and the cases editors "
                       "load.", APACHE_2),
    "legislation": GraphInfo("National legislation", "National laws and their provisions.", (JUSTICE_CANADA, LEGILUX),
                             "Canada's Acts from Justice Canada's XML, Luxembourg's law of 31 May 1999 from Legilux "
                             "(Akoma Ntoso) (data/legislation/*/PROVENANCE.md), and the laws editors load.", None),
    "editorial": GraphInfo("Editorial claims", "The SHERLOC-KG editors' own claims (implementation mappings, courts "
                           "cases are attributed to), each with who, when and why; never a source's statement.", (),
                           "Written by the SHERLOC-KG editors (data/editorial/PROVENANCE.md)."),
    "participation": GraphInfo("Treaty participation", "Signatures, ratifications, accessions: who is party to which "
                               "instrument, as at which date.", (UNTC_UNTOC,),
                               "The status table of the United Nations Treaty Collection "
                               "(data/participation/PROVENANCE.md).", UN_TERMS),
    "treaties": GraphInfo("Cooperation treaties", "Bilateral and multilateral cooperation treaties.", (SHERLOC_PORTAL,),
                          "Loaded by SHERLOC-KG editors."),
    "strategies": GraphInfo("Strategies", "National and regional strategies.", (SHERLOC_PORTAL,),
                            "Loaded by SHERLOC-KG editors."),
    "bibliography": GraphInfo("Bibliography", "Publications (the SHERLOC bibliographic database).", (SHERLOC_PORTAL,),
                              "Loaded by SHERLOC-KG editors."),
    "authorities": GraphInfo("Competent national authorities", "Competent national authorities and their "
                             "designations.", (SHERLOC_PORTAL,), "Loaded by SHERLOC-KG editors."),
    "authorities-restricted": GraphInfo("Competent national authorities: contact details", "Contact details of "
                                        "competent national authorities (restricted).", (SHERLOC_PORTAL,),
                                        "Loaded by SHERLOC-KG editors."),
    "guide": GraphInfo("Legislative guides", "Sections of the legislative guides.", (SHERLOC_PORTAL,),
                       "Loaded by SHERLOC-KG editors."),
    "review": GraphInfo("Review responses", "Published responses to the review mechanism, and the mechanism itself "
                        "(sessions, resolutions, clusters).", (UNODC_REVIEW,),
                        "Submitted by States and published by their officials; the mechanism from "
                        "data/review-mechanism.jsonl."),
    "review-restricted": GraphInfo("Review responses: unpublished", "Unpublished responses to the review mechanism "
                                   "(restricted).", (UNODC_REVIEW,), "Submitted by States."),
    "inferred": GraphInfo("Inferred links", "Links the inference rules derive from the asserted graphs, kept "
                          "apart from asserted facts.", (),
                          "Derived by the SHERLOC-KG inference rules from the other graphs; the query why-inferred "
                          "gives the facts and the rule behind each link."),
    "provenance": GraphInfo("Provenance", "PROV-O: load activities, their agents, source files and which record came "
                            "from which file; what each graph is, its licence and sources.", (),
                            "Written by every load of SHERLOC-KG."),
    "provenance-restricted": GraphInfo("Provenance: restricted", "PROV-O of the records that exist only in restricted "
                                       "graphs (restricted).", (), "Written by every load of SHERLOC-KG."),
}


def licence_iri(iris: Iris, name: str) -> URIRef:
    """The licence of graph ``name``: its own, or the composite document describing its parts."""
    info = CATALOGUE[name]
    return URIRef(info.licence.iri) if info.licence is not None else URIRef(f"{iris.base}dataset#licence-{name}")


def lineage_iri(iris: Iris, name: str) -> URIRef:
    """The statement of where graph ``name``'s data come from (``dcterms:ProvenanceStatement``)."""
    return URIRef(f"{iris.graph(name)}#lineage")


def licence_text(name: str) -> str:
    """What a composite licence says, part by part."""
    parts = [f"{s.title}: {s.licence.title}" + (f" ({s.licence.iri})" if s.licence.iri else "")
             for s in CATALOGUE[name].sources]
    return ("Each part under the terms of its source. " + "; ".join(parts) + ". Identifiers, structure and "
            f"links: {OWN.title} ({OWN.iri}).")


def graph_statements(iris: Iris, names: list[str] | None = None, *, titled: bool = True) -> list[Triple]:
    """Licence, sources and lineage of each graph of ``names`` (default: every graph), as triples
    about the graph's IRI, and the licence documents they name; ``titled``: with each graph's title
    and description, and each source's title and licence (see :func:`restricted_statements`)."""
    triples: list[Triple] = []
    for name in names if names is not None else list(GRAPHS):
        info, graph = CATALOGUE[name], iris.graph(name)
        licence = licence_iri(iris, name)
        lineage = lineage_iri(iris, name)
        if titled:
            triples += [(graph, DCTERMS.title, Literal(info.title, lang="en")),
                        (graph, DCTERMS.description, Literal(info.description, lang="en"))]
        triples += [(graph, DCTERMS.license, licence),
                    (graph, DCTERMS.provenance, lineage),
                    (lineage, RDF.type, DCTERMS.ProvenanceStatement),
                    (lineage, RDFS.label, Literal(info.lineage, lang="en"))]
        if info.licence is None:
            triples += [(licence, RDF.type, DCTERMS.LicenseDocument),
                        (licence, RDFS.label, Literal(licence_text(name), lang="en"))]
        for source in info.sources:
            triples.append((graph, DCTERMS.source, URIRef(source.iri)))
            if titled:
                triples.append((URIRef(source.iri), DCTERMS.title, Literal(source.title, lang="en")))
                if source.licence.iri:
                    triples.append((URIRef(source.iri), DCTERMS.license, URIRef(source.licence.iri)))
    return triples


def restricted_statements(iris: Iris) -> list[Triple]:
    """What the restricted provenance graph says of each restricted graph: its licence, its lineage
    and its sources by IRI, without titles. Each of its sources is the source of a public graph too,
    described (title, licence) once, in the public provenance graph; its title and description are
    those ``/dataset`` gives whoever may read it (api/dcat.py, from :data:`CATALOGUE`). So the
    restricted provenance graph holds no title of its own: in a store loaded with the examples,
    every title outside the reference graphs and the public provenance graph is an example's, and
    says it is illustrative (tests/test_examples.py)."""
    described = {s for name in public_names() for s in CATALOGUE[name].sources}
    for name in restricted_names():
        undescribed = [s.iri for s in CATALOGUE[name].sources if s not in described]
        if undescribed:
            raise ValueError(f"graph catalogue: the restricted graph {name} names sources no public graph "
                             f"names, which the public provenance graph would not describe: {undescribed}")
    return graph_statements(iris, restricted_names(), titled=False)


def public_names() -> list[str]:
    """The graphs every caller reads (sherloc_kg/access.py decides which)."""
    return list(PUBLIC_GRAPHS)


def restricted_names() -> list[str]:
    """The other graphs (not those kept one per State: they are described by their family's entry)."""
    return [name for name in GRAPHS if is_restricted(name)]


__all__ = ["CATALOGUE", "GraphInfo", "Licence", "OWN", "Source", "graph_statements", "licence_iri", "licence_text", "lineage_iri",
           "public_names", "restricted_names", "restricted_statements"]
