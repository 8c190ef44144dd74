"""The dataset described for harvesters: DCAT-AP 3.0.1 and VoID in one graph (issue 19, item 6).

What ``GET /dataset`` answers (api/dataset.py), checked against the official DCAT-AP 3.0.1 shapes
(tests/test_dcat_ap.py: no violation, and the recommended properties present):

- a ``dcat:Catalog`` (``{base}dataset#catalog``) listing the dataset and the SPARQL endpoint's
  ``dcat:DataService``, with its publisher, licence, language, dates, spatial coverage and theme
  taxonomy;
- the ``dcat:Dataset`` / ``void:Dataset`` ``{base}dataset``: title, description, publisher, contact
  point, keywords, theme (the EU data theme "Justice, legal system and public safety"), spatial
  (the Earth, GeoNames) and temporal coverage (the years of the decisions and legal texts held),
  languages (EU language table), dates, its licence (each graph under its own, a document saying
  which), VoID counts, endpoint, URI space, vocabularies and example resources;
- one ``void:subset`` per graph the caller may see, with its count, title, description, licence,
  sources and lineage (sherloc_kg/graph_catalogue.py), and ``void:dataDump`` its two files;
- the distributions: the whole dump (gzip N-Quads), and for each public graph its N-Quads and its
  Turtle (api/dumps.py), each with its IANA media type and EU file type, licence, availability,
  ``dcat:byteSize`` and ``spdx:checksum`` (SHA-256) of exactly the bytes the dump route sends; and the
  change feed (``{base}feed``, a Linked Data Event Stream, ``dcterms:conformsTo`` the LDES
  specification);
- the ``dcat:DataService`` of the SPARQL endpoint (``{endpoint}#service``, the service description's
  ``sd:Service`` node): ``dcat:endpointURL``, ``dcat:endpointDescription``, ``dcat:servesDataset``.

The controlled vocabularies are described in the graph as far as the shapes read them (a concept's
label and scheme, a licence document's type): a harvester validating the description alone finds
what it needs (and the checksum algorithm's name, ``SHA-256``, for the page a browser is shown:
api/explorer/dataset.py). One deviation from the letter, for the shapes: the SHA-256 algorithm is named
``https://spdx.org/rdf/terms#checksumAlgorithm_sha256`` (the 3.0.1 shapes accept no other form:
``^https://spdx.org/rdf/terms``), declared ``owl:sameAs`` SPDX's own
``http://spdx.org/rdf/terms#checksumAlgorithm_sha256``.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID, XSD

from sherloc_kg.access import Caller
from sherloc_kg.graph_catalogue import CATALOGUE, OWN, Licence, licence_iri, licence_text, lineage_iri
from sherloc_kg.iris import Iris
from sherloc_kg.namespaces import PREFIXES, VCARD
from sherloc_kg.queries import internal
from sherloc_kg.store import Store

from .caching import StoreState
from .change_feed import FEED_TYPES, LDES_SPECIFICATION
from .dumps import GZIP, NQUADS, TURTLE, WHOLE, DumpFile

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
#: The IANA media types, as the shapes want them (``^http.*://www.iana.org/assignments/media-types/``).
IANA = "https://www.iana.org/assignments/media-types/"
#: The EU Publications Office's authority tables.
EU = "http://publications.europa.eu/resource/authority/"
ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
SHA256 = URIRef("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")
EARTH = URIRef("https://sws.geonames.org/6295630/")

TITLE = "SHERLOC-KG"
DESCRIPTION = ("The United Nations Convention against Transnational Organized Crime and its Protocols, and the "
               "national legislation, case law, cooperation treaties, strategies, competent national authorities, "
               "publications and review responses that implement and apply them, as linked data.")
KEYWORDS = ("transnational organized crime", "trafficking in persons", "smuggling of migrants", "firearms",
            "UNTOC", "case law", "national legislation", "treaty implementation", "SHERLOC", "linked data")
#: The languages of the texts held (EU language table codes).
LANGUAGES = ("ENG", "FRA", "SPA", "DEU", "ITA", "NLD")
DUMP_PATH = "dataset/" + WHOLE
GRAPH_DUMPS = "dataset/dump/"
#: The dataset's licence (``{base}dataset#licence``): a document saying each graph is under its own.
EACH_GRAPH_ITS_LICENCE = "dataset#licence"
#: The ADMS licence type of each licence (http://purl.org/adms/licencetype/1.0).
_LICENCE_TYPES = {"https://creativecommons.org/licenses/by/4.0/": "Attribution",
                  "https://www.apache.org/licenses/LICENSE-2.0": "Attribution",
                  "https://open.canada.ca/en/open-government-licence-canada": "Attribution",
                  "https://www.un.org/en/about-us/terms-of-use": "UnknownIPR"}
_FORMATS = {NQUADS: ("RDF_N_QUADS", "N-Quads"), TURTLE: ("RDF_TURTLE", "Turtle")}


class Description:
    """One description being built: the graph and the nodes every part shares."""

    def __init__(self, iris: Iris) -> None:
        self.iris, self.base = iris, iris.base
        self.g = Graph()
        for prefix in ("dcterms", "foaf", "xsd", "sherloc", "skos", "prov"):
            self.g.bind(prefix, PREFIXES[prefix])
        for prefix, namespace in (("dcat", DCAT), ("void", VOID), ("sd", SD), ("dcatap", DCATAP), ("spdx", SPDX),
                                  ("vcard", VCARD), ("owl", OWL)):
            self.g.bind(prefix, namespace)
        self.dataset = URIRef(self.base + "dataset")
        self.catalog = URIRef(self.base + "dataset#catalog")
        self.publisher = URIRef(self.base + "dataset#publisher")
        self.contact = URIRef(self.base + "dataset#contact")
        self.theme = URIRef(EU + "data-theme/JUST")
        self.home = URIRef(self.base)
        self.licences: set[str] = set()

    def add(self, s: URIRef, p: URIRef, o) -> None:
        self.g.add((s, p, o))

    def shared(self) -> None:
        """The publisher, contact point, theme, place, languages and the schemes they belong to."""
        add, en = self.add, (lambda text: Literal(text, lang="en"))
        for t in (FOAF.Agent, FOAF.Organization):
            add(self.publisher, RDF.type, t)
        add(self.publisher, FOAF.name, en("SHERLOC-KG project"))
        add(self.publisher, FOAF.homepage, self.home)
        self._concept(self.publisher, DCTERMS.type, URIRef(ADMS_PUBLISHER_TYPE + "NonProfitOrganisation"),
                      "Non-Profit Organisation", URIRef(ADMS_PUBLISHER_TYPE + "1.0"), "Publisher Type")
        for t in (VCARD.Kind, VCARD.Organization):
            add(self.contact, RDF.type, t)
        add(self.contact, VCARD.fn, en("SHERLOC-KG"))
        add(self.contact, VCARD.hasURL, self.home)
        add(self.home, RDF.type, FOAF.Document)
        self._concept(None, None, self.theme, "Justice, legal system and public safety", URIRef(EU + "data-theme"),
                      "Data theme")
        add(EARTH, RDF.type, DCTERMS.Location)
        add(EARTH, SKOS.prefLabel, en("Earth"))
        add(EARTH, DCAT.bbox, Literal("POLYGON((-180 90,180 90,180 -90,-180 -90,-180 90))", datatype=GEO.wktLiteral))
        add(EARTH, DCAT.centroid, Literal("POINT(0 0)", datatype=GEO.wktLiteral))
        for code in LANGUAGES:
            language = URIRef(EU + "language/" + code)
            add(language, RDF.type, DCTERMS.LinguisticSystem)
            add(language, SKOS.inScheme, URIRef(EU + "language"))
        add(SHA256, RDF.type, SPDX.ChecksumAlgorithm)
        add(SHA256, RDFS.label, Literal("SHA-256"))
        add(SHA256, OWL.sameAs, SPDX.checksumAlgorithm_sha256)
        add(URIRef(EU + "planned-availability/STABLE"), RDF.type, SKOS.Concept)
        self._concept(None, None, URIRef(EU + "planned-availability/STABLE"), "Stable",
                      URIRef(EU + "planned-availability"), "Planned availability")

    def _concept(self, subject: URIRef | None, predicate: URIRef | None, concept: URIRef, label: str,
                 scheme: URIRef, scheme_title: str) -> None:
        if subject is not None and predicate is not None:
            self.add(subject, predicate, concept)
        self.add(concept, RDF.type, SKOS.Concept)
        self.add(concept, SKOS.prefLabel, Literal(label, lang="en"))
        self.add(concept, SKOS.inScheme, scheme)
        self.add(scheme, RDF.type, SKOS.ConceptScheme)
        self.add(scheme, DCTERMS.title, Literal(scheme_title, lang="en"))

    def licence(self, subject: URIRef, iri: URIRef, label: str) -> None:
        """``subject`` ``dcterms:license`` ``iri``, a licence document with its ADMS type."""
        self.add(subject, DCTERMS.license, iri)
        if label:
            self.add(iri, RDFS.label, Literal(label, lang="en"))
        if str(iri) in self.licences:
            return
        self.licences.add(str(iri))
        self.add(iri, RDF.type, DCTERMS.LicenseDocument)
        kind = _LICENCE_TYPES.get(str(iri), "Attribution")
        self._concept(iri, DCTERMS.type, URIRef(ADMS_LICENCE_TYPE + kind), _spaced(kind),
                      URIRef(ADMS_LICENCE_TYPE + "1.0"), "Licence type")

    def described(self, subject: URIRef, *, keywords: bool = True) -> None:
        """Publisher, contact point, theme (and keywords) of a dataset or a data service."""
        self.add(subject, DCTERMS.publisher, self.publisher)
        self.add(subject, DCAT.contactPoint, self.contact)
        self.add(subject, DCAT.theme, self.theme)
        if keywords:
            for keyword in KEYWORDS:
                self.add(subject, DCAT.keyword, Literal(keyword, lang="en"))

    def media_type(self, subject: URIRef, predicate: URIRef, media_type: str) -> None:
        """``subject`` ``predicate`` the IANA media type ``media_type`` (a ``dcterms:MediaType``)."""
        iri = URIRef(IANA + media_type)
        self.add(subject, predicate, iri)
        self.add(iri, RDF.type, DCTERMS.MediaType)

    def file_type(self, subject: URIRef, code: str, label: str) -> None:
        """``subject`` ``dcterms:format`` the EU file type ``code``."""
        iri = URIRef(EU + "file-type/" + code)
        self._concept(subject, DCTERMS.format, iri, label, URIRef(EU + "file-type"), "File type")
        self.add(iri, RDF.type, DCTERMS.MediaTypeOrExtent)

    def standard(self, iri: URIRef, title: str) -> URIRef:
        self.add(iri, RDF.type, DCTERMS.Standard)
        self.add(iri, DCTERMS.title, Literal(title, lang="en"))
        return iri


def _spaced(kind: str) -> str:
    return "".join(" " + c if c.isupper() and i else c for i, c in enumerate(kind)).replace("I P R", "IPR")


def _years(store: Store, dataset) -> tuple[int, int] | None:
    rows = store.select(internal("dataset-temporal").text, dataset=dataset).rows
    if not rows or "first" not in rows[0] or "last" not in rows[0]:
        return None
    return int(str(rows[0]["first"])), int(str(rows[0]["last"]))


def graph_counts(store: Store, graphs: list[str], dataset) -> dict[str, int]:
    rows = store.select(internal("statistics-triples-per-graph").text, dataset=dataset).rows
    found = {str(row["g"]): int(row["n"]) for row in rows}
    return {g: found.get(g, 0) for g in graphs}


def examples(store: Store, iris: Iris, dataset) -> list[URIRef]:
    """The Convention, one of its articles and the first case, where the caller's graphs hold them."""
    held = internal("dataset-resource-held").text
    found = [c for c in (iris.instrument("untoc"), iris.provision("untoc/art/5"))
             if store.ask(held, bindings={"resource": c}, dataset=dataset)]
    rows = store.select(internal("dataset-first-case").text, dataset=dataset).rows
    return found + [URIRef(str(row["case"])) for row in rows if "case" in row]


def description(store: Store, iris: Iris, who: Caller, endpoint: str, state: StoreState,
                files: Mapping[str, DumpFile]) -> Graph:
    """The DCAT-AP/VoID description of what ``who`` may see (the module docstring). ``endpoint``: the
    SPARQL endpoint's address, the one its service description names; ``state``: the store's state
    as ``who`` sees it; ``files``: the public dumps (api/dumps.py)."""
    d = Description(iris)
    add, en, base = d.add, (lambda text: Literal(text, lang="en")), iris.base
    dataset = who.dataset(iris)
    graphs = who.described_graphs(iris, store)
    counts = graph_counts(store, graphs, dataset)
    me = d.dataset
    d.shared()

    # the catalogue
    add(d.catalog, RDF.type, DCAT.Catalog)
    add(d.catalog, DCTERMS.title, en(f"{TITLE} catalogue"))
    add(d.catalog, DCTERMS.description, en(f"The data sets and data services of {TITLE}: {DESCRIPTION}"))
    add(d.catalog, DCTERMS.publisher, d.publisher)
    add(d.catalog, FOAF.homepage, d.home)
    add(d.catalog, DCTERMS.language, URIRef(EU + "language/ENG"))
    d.licence(d.catalog, URIRef(OWN.iri), OWN.title)
    add(d.catalog, DCTERMS.spatial, EARTH)
    add(d.catalog, DCAT.themeTaxonomy, URIRef(EU + "data-theme"))
    add(d.catalog, DCAT.dataset, me)
    for subject in (d.catalog, me):
        if state.issued is not None:
            add(subject, DCTERMS.issued, Literal(state.issued, datatype=XSD.dateTime))
        if state.latest is not None:
            add(subject, DCTERMS.modified, Literal(state.latest, datatype=XSD.dateTime))

    # the dataset
    add(me, RDF.type, DCAT.Dataset)
    add(me, RDF.type, VOID.Dataset)
    add(me, DCTERMS.title, en(TITLE))
    add(me, DCTERMS.description, en(DESCRIPTION))
    d.licence(me, URIRef(base + EACH_GRAPH_ITS_LICENCE), "Each graph under its own licence (dcterms:license of each "
              "void:subset, the same on its dumps); " + "; ".join(
                  f"{name}: {info.licence.title if info.licence else 'its parts under their sources’ terms'}"
                  for name, info in CATALOGUE.items() if str(iris.graph(name)) in counts) + ".")
    d.described(me)
    add(me, FOAF.homepage, d.home)
    add(me, DCAT.landingPage, d.home)
    add(me, DCTERMS.spatial, EARTH)
    years = _years(store, dataset)
    if years is not None:
        period = URIRef(base + "dataset#coverage")
        add(me, DCTERMS.temporal, period)
        add(period, RDF.type, DCTERMS.PeriodOfTime)
        add(period, DCAT.startDate, Literal(f"{years[0]:04d}", datatype=XSD.gYear))
        add(period, DCAT.endDate, Literal(f"{years[1]:04d}", datatype=XSD.gYear))
    for code in LANGUAGES:
        add(me, DCTERMS.language, URIRef(EU + "language/" + code))
    add(me, VOID.triples, Literal(sum(counts.values()), datatype=XSD.integer))
    add(me, VOID.sparqlEndpoint, URIRef(endpoint))
    add(me, VOID.uriSpace, Literal(base))
    add(me, VOID.rootResource, iris.instrument("untoc"))
    for vocabulary in ("eli", "skos", "dcterms", "org", "vcard", "bibo", "prov", "foaf", "sherloc"):
        add(me, VOID.vocabulary, URIRef(PREFIXES[vocabulary]))
    for example in examples(store, iris, dataset):
        add(me, VOID.exampleResource, example)

    # the graphs, and the dumps of the public ones
    public = {f.graph for f in files.values() if f.graph is not None}
    for graph, count in counts.items():
        subset, name = URIRef(graph), iris.graph_name(graph) or graph
        add(me, VOID.subset, subset)
        add(subset, RDF.type, VOID.Dataset)
        info = CATALOGUE.get(name)
        add(subset, DCTERMS.title, en(info.title) if info is not None else Literal(name))
        add(subset, SD.name, subset)
        add(subset, VOID.triples, Literal(count, datatype=XSD.integer))
        if info is not None:
            add(subset, DCTERMS.description, en(info.description))
            licence = licence_iri(iris, name)
            d.licence(subset, licence, _licence_label(info.licence, name))
            add(subset, DCTERMS.provenance, lineage_iri(iris, name))
            add(lineage_iri(iris, name), RDF.type, DCTERMS.ProvenanceStatement)
            add(lineage_iri(iris, name), RDFS.label, en(info.lineage))
            for source in info.sources:
                add(subset, DCTERMS.source, URIRef(source.iri))
                add(URIRef(source.iri), DCTERMS.title, en(source.title))
        if graph not in public:
            continue
        for file in sorted((f for f in files.values() if f.graph == graph), key=lambda f: f.name):
            node = URIRef(base + GRAPH_DUMPS + file.name)
            add(subset, VOID.dataDump, node)
            add(me, DCAT.distribution, node)
            code, syntax = _FORMATS[file.media_type]
            _distribution(d, node, file, f"Graph {name} as {syntax}",
                          f"The {name} graph ({count} triples) as {syntax}"
                          + (", each statement with its graph's name." if file.media_type == NQUADS else "."),
                          licence_iri(iris, name) if info else URIRef(OWN.iri), code, label=OWN.title)

    # the whole dump: for the public, the file; a caller who sees more gets the stream of its graphs
    dump = URIRef(base + DUMP_PATH)
    add(me, VOID.dataDump, dump)
    add(me, DCAT.distribution, dump)
    # as the dump route decides (api/dataset.py): the file when the caller reads no graph but public ones
    dumped = who.graphs_among(iris, sorted(store.graphs()))
    whole = files.get(WHOLE) if set(dumped) <= public else None
    logs = " It also holds the change feed's version logs of those graphs (a backup to restore)." \
        if iris.version_logs(dumped) else ""
    _distribution(d, dump, whole, "Every graph above as gzip-compressed N-Quads",
                  "The graphs described here, each statement with its graph's name, as one gzip-compressed N-Quads "
                  "file." + logs,
                  URIRef(base + EACH_GRAPH_ITS_LICENCE), "RDF_N_QUADS", media_type=NQUADS)
    d.media_type(dump, DCAT.compressFormat, GZIP)

    # the change feed (api/change_feed.py)
    feed = URIRef(base + "dataset#feed")
    add(me, DCAT.distribution, feed)
    add(feed, RDF.type, DCAT.Distribution)
    add(feed, DCTERMS.title, en("Change feed (Linked Data Event Stream)"))
    add(feed, DCTERMS.description, en("Every version of every record of the graphs described here (the inferred and "
                                      "provenance graphs aside), in the order the changes were made, as a Linked "
                                      "Data Event Stream: a replica follows it to keep in step without downloading "
                                      "the dumps again. TriG by default; N-Quads, JSON-LD and Turtle by Accept."))
    add(feed, DCAT.accessURL, iris.feed())
    add(feed, DCTERMS.conformsTo, d.standard(LDES_SPECIFICATION, "Linked Data Event Streams specification"))
    d.media_type(feed, DCAT.mediaType, FEED_TYPES[0])  # its default (TriG); N-Quads, JSON-LD, Turtle by Accept
    d.file_type(feed, "RDF_TRIG", "RDF TriG")
    add(feed, DCATAP.availability, URIRef(EU + "planned-availability/STABLE"))
    d.licence(feed, URIRef(base + EACH_GRAPH_ITS_LICENCE), "")

    # the SPARQL endpoint
    service = URIRef(endpoint + "#service")
    add(d.catalog, DCAT.service, service)
    add(service, RDF.type, DCAT.DataService)
    add(service, DCTERMS.title, en(f"{TITLE} SPARQL endpoint"))
    add(service, DCTERMS.description, en("SPARQL 1.1 queries over the graphs the caller may read; its service "
                                         "description answers a GET without a query."))
    add(service, DCAT.endpointURL, URIRef(endpoint))
    add(service, DCAT.endpointDescription, URIRef(endpoint))
    add(service, DCTERMS.conformsTo, d.standard(URIRef("https://www.w3.org/TR/sparql11-protocol/"),
                                                "SPARQL 1.1 Protocol"))
    add(service, DCAT.servesDataset, me)
    d.described(service)
    d.licence(service, URIRef(base + EACH_GRAPH_ITS_LICENCE), "")
    return d.g


def _licence_label(licence: Licence | None, name: str) -> str:
    return licence.title if licence is not None else licence_text(name)


def _distribution(d: Description, node: URIRef, file: DumpFile | None, title: str, text: str, licence: URIRef,
                  code: str, *, media_type: str | None = None, label: str = "") -> None:
    add = d.add
    add(node, RDF.type, DCAT.Distribution)
    add(node, DCTERMS.title, Literal(title, lang="en"))
    add(node, DCTERMS.description, Literal(text, lang="en"))
    add(node, DCAT.accessURL, node)
    add(node, DCAT.downloadURL, node)
    d.media_type(node, DCAT.mediaType, media_type or (file.media_type if file else NQUADS))
    d.file_type(node, code, {"RDF_N_QUADS": "RDF N-Quads", "RDF_TURTLE": "RDF Turtle"}.get(code, code))
    add(node, DCATAP.availability, URIRef(EU + "planned-availability/STABLE"))
    d.licence(node, licence, label if str(licence) not in d.licences else "")
    if file is None:
        return
    add(node, DCAT.byteSize, Literal(file.size, datatype=XSD.nonNegativeInteger))
    checksum = URIRef(f"{node}#sha256")
    add(node, URIRef(SPDX.checksum), checksum)
    add(checksum, RDF.type, SPDX.Checksum)
    add(checksum, SPDX.algorithm, SHA256)
    add(checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary))


__all__ = ["DUMP_PATH", "EACH_GRAPH_ITS_LICENCE", "GRAPH_DUMPS", "SHA256", "description", "examples", "graph_counts"]
