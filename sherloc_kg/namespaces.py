"""Namespaces. ``SHERLOC`` is closed: a term not declared in ``ontology/sherloc.ttl`` raises
AttributeError, so a typo fails loudly (tests/test_namespaces.py keeps the two in step)."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

ELI = Namespace("http://data.europa.eu/eli/ontology#")
BIBO = Namespace("http://purl.org/ontology/bibo/")
SH = Namespace("http://www.w3.org/ns/shacl#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")

ONTOLOGY_IRI = "https://w3id.org/sherloc/ontology"

#: The values of ``eli:in_force``: individuals of ELI's own in-force table (``eli:InForceTable``),
#: as the ELI ontology (1.5) names them.
IN_FORCE = ELI["InForce-inForce"]
NOT_IN_FORCE = ELI["InForce-notInForce"]
PARTIALLY_IN_FORCE = ELI["InForce-partiallyInForce"]


class SHERLOC(DefinedNamespace):
    """Terms of the SHERLOC-KG ontology (see ontology/sherloc.ttl for their definitions)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    InternationalInstrument: URIRef
    ConventionProvision: URIRef
    Article: URIRef
    Paragraph: URIRef
    Subparagraph: URIRef
    Item: URIRef
    Jurisdiction: URIRef
    Country: URIRef
    InternationalJurisdiction: URIRef
    RegionalEconomicIntegrationOrganization: URIRef
    Authorship: URIRef
    CourtCase: URIRef
    Court: URIRef
    Defendant: URIRef
    NationalLegislation: URIRef
    NationalProvision: URIRef
    # national provisions structured in sections (loaders/canada_pairing.py)
    heading: URIRef
    inForceStartDate: URIRef
    containsProvision: URIRef
    containsExpression: URIRef
    TreatyParticipation: URIRef
    CooperationTreaty: URIRef
    Strategy: URIRef
    CompetentNationalAuthority: URIRef
    CNADesignation: URIRef
    GuideSection: URIRef
    ReviewResponse: URIRef
    ReviewCluster: URIRef
    COPSession: URIRef
    COPResolution: URIRef
    # instruments and provisions
    adoptedBy: URIRef
    adoptedByResolution: URIRef
    signatoryCount: URIRef
    partyCount: URIRef
    countsAsAt: URIRef
    supplements: URIRef
    position: URIRef
    instrument: URIRef
    text: URIRef
    preamble: URIRef
    # countries
    iso3166Alpha3: URIRef
    iso3166Alpha2: URIRef
    m49: URIRef
    inRegion: URIRef
    # cases
    jurisdiction: URIRef
    decisionYear: URIRef
    decisionDate: URIRef
    decidedBy: URIRef
    courtLevel: URIRef
    crimeType: URIRef
    crossCuttingIssue: URIRef
    keyword: URIRef
    authorship: URIRef
    refersToProvision: URIRef
    appliesNationalProvision: URIRef
    involvedCountry: URIRef
    appealOf: URIRef
    defendant: URIRef
    defendantType: URIRef
    sex: URIRef
    nationality: URIRef
    outcome: URIRef
    sentence: URIRef
    tipAct: URIRef
    tipMeans: URIRef
    tipPurpose: URIRef
    commentary: URIRef
    concernsProvision: URIRef
    # legislation
    country: URIRef
    # participation
    participant: URIRef
    signatureDate: URIRef
    consentDate: URIRef
    consentType: URIRef
    declarations: URIRef
    statusAsAt: URIRef
    # treaties
    treatyType: URIRef
    treatySubject: URIRef
    party: URIRef
    # strategies
    region: URIRef
    issuingBody: URIRef
    periodStart: URIRef
    periodEnd: URIRef
    addressesProvision: URIRef
    # bibliography
    publicationYear: URIRef
    container: URIRef
    concernsCountry: URIRef
    researchMethod: URIRef
    # authorities
    languageAccepted: URIRef
    channel: URIRef
    acceptsConventionAsLegalBasis: URIRef
    designation: URIRef
    designatedUnder: URIRef
    designationMatter: URIRef
    fax: URIRef
    officeHours: URIRef
    contactPerson: URIRef
    # guide
    chapter: URIRef
    section: URIRef
    explainsProvision: URIRef
    # review
    reviewCycle: URIRef
    reviewCluster: URIRef
    aboutProvision: URIRef
    implementationStatus: URIRef
    citesMeasure: URIRef
    practices: URIRef
    difficulties: URIRef
    assistanceNeed: URIRef
    published: URIRef
    # COP
    sessionNumber: URIRef
    heldAt: URIRef
    adoptedAtSession: URIRef
    clusterProvision: URIRef
    # the Review Mechanism as data, and the versions of a review response (api/review.py)
    ReviewMechanism: URIRef
    ReviewCycle: URIRef
    ReviewGroup: URIRef
    ReviewResponseVersion: URIRef
    establishedBy: URIRef
    launchedBy: URIRef
    ofMechanism: URIRef
    partOfCycle: URIRef
    cycleNumber: URIRef
    clusterNumber: URIRef
    groupNumber: URIRef
    groupMember: URIRef
    memberCount: URIRef
    startDate: URIRef
    endDate: URIRef
    currentVersion: URIRef
    versionNumber: URIRef
    publishedBy: URIRef
    ReviewWithdrawal: URIRef
    withdrew: URIRef
    # crime types → criminalization provisions; editorial claims (loaders/editorial.py)
    criminalizedUnder: URIRef
    EditorialClaim: URIRef
    ClaimedStatement: URIRef
    claimType: URIRef
    claimStatement: URIRef
    claimSubject: URIRef
    claimProperty: URIRef
    claimObject: URIRef
    decidedByBody: URIRef
    sameJudgmentAs: URIRef
    # obligation typing (sherloc_kg/obligations.py)
    obligationType: URIRef


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

__all__ = ["BIBO", "DCTERMS", "ELI", "FOAF", "IN_FORCE", "NOT_IN_FORCE", "ORG", "OWL", "PARTIALLY_IN_FORCE",
           "PREFIXES", "PROV", "RDF", "RDFS", "SH", "SHERLOC", "SKOS", "VCARD", "XSD", "ONTOLOGY_IRI"]
