"""Namespaces. ``SHERLOC`` is closed: a term not declared in ``ontology/sherloc.ttl`` raises
AttributeError, so a typo fails loudly (tests/test_namespaces.py keeps the two in step)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

ELI = Namespace("http://data.europa.eu/eli/ontology#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
SH = Namespace("http://www.w3.org/ns/shacl#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

ONTOLOGY_IRI = "https://w3id.org/sherloc/ontology"


class SHERLOC(DefinedNamespace):
    """Terms of the SHERLOC-KG ontology (see ontology/sherloc.ttl for their definitions)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    InternationalInstrument: object
    ConventionProvision: object
    Article: object
    Paragraph: object
    Subparagraph: object
    Item: object
    Jurisdiction: object
    Country: object
    InternationalJurisdiction: object
    CourtCase: object
    Court: object
    Defendant: object
    NationalLegislation: object
    NationalProvision: object
    TreatyParticipation: object
    CooperationTreaty: object
    Strategy: object
    CompetentNationalAuthority: object
    CNADesignation: object
    GuideSection: object
    ReviewResponse: object
    ReviewCluster: object
    COPSession: object
    COPResolution: object
    # instruments and provisions
    adoptedBy: object
    signatoryCount: object
    partyCount: object
    countsAsAt: object
    supplements: object
    position: object
    instrument: object
    text: object
    # countries
    iso3166Alpha3: object
    iso3166Alpha2: object
    m49: object
    # cases
    jurisdiction: object
    decisionYear: object
    decisionDate: object
    decidedBy: object
    courtLevel: object
    crimeType: object
    crossCuttingIssue: object
    keyword: object
    refersToProvision: object
    appliesNationalProvision: object
    involvedCountry: object
    appealOf: object
    defendant: object
    defendantType: object
    sex: object
    nationality: object
    outcome: object
    sentence: object
    tipAct: object
    tipMeans: object
    tipPurpose: object
    commentary: object
    concernsProvision: object
    # legislation
    country: object
    inForce: object
    # participation
    participant: object
    signatureDate: object
    consentDate: object
    consentType: object
    declarations: object
    # treaties
    treatyType: object
    treatySubject: object
    party: object
    # strategies
    region: object
    issuingBody: object
    periodStart: object
    periodEnd: object
    addressesProvision: object
    # bibliography
    publicationYear: object
    container: object
    concernsCountry: object
    researchMethod: object
    # authorities
    languageAccepted: object
    channel: object
    acceptsConventionAsLegalBasis: object
    designation: object
    designatedUnder: object
    designationMatter: object
    fax: object
    officeHours: object
    contactPerson: object
    # guide
    chapter: object
    section: object
    explainsProvision: object
    # review
    reviewCycle: object
    reviewCluster: object
    aboutProvision: object
    implementationStatus: object
    citesMeasure: object
    practices: object
    difficulties: object
    assistanceNeed: object
    published: object
    # COP
    sessionNumber: object
    heldAt: object
    adoptedAtSession: object
    clusterProvision: object


PREFIXES: dict[str, str] = {
    "sherloc": str(SHERLOC._NS),
    "eli": str(ELI),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "org": str(ORG),
    "vcard": str(VCARD),
    "bibo": str(BIBO),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
}

__all__ = ["BIBO", "DCTERMS", "ELI", "FOAF", "ORG", "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "SH",
           "SHERLOC", "SKOS", "VCARD", "XSD", "ONTOLOGY_IRI"]
