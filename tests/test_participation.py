"""The participation loader through the real pipeline: the real UNTC status table, our CSV, and
refusals (unknown names, impossible dates, a table whose instrument is not said)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.config import Settings
from sherloc_kg.errors import ValidationFailed
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.loaders.participation import UNTC_STATUS_PAGES
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import snapshot

IRIS = Iris()
GRAPH = str(IRIS.graph("participation"))
UNTC = "fixtures/real/untc-status-untoc-2024-05-04-partial.csv"
UNTC_HEADER = 'Participant,Signature,"Ratification, Acceptance(A), Approval(AA), Accession(a), Succession(d)"\n'
OUR_HEADER = "instrument,country,signature_date,consent_date,consent_type,declarations\n"
S = "https://w3id.org/sherloc/ontology#"


def facts(store: EmbeddedStore, instrument: str, iso3: str) -> dict[str, object]:
    rows = store.select(
        "SELECT ?s ?p ?o WHERE { GRAPH <" + GRAPH + "> { ?s ?p ?o } }",
        bindings={"s": IRIS.participation(instrument, iso3)}).rows
    return {str(r["p"]).rpartition("#")[2]: r["o"] for r in rows}


def count(store: EmbeddedStore) -> int:
    rows = store.select("SELECT (COUNT(?s) AS ?n) WHERE { GRAPH <" + GRAPH + "> { ?s a <" + S + "TreatyParticipation> } }").rows
    return int(rows[0]["n"])


def d(text: str) -> Literal:
    return Literal(text, datatype=XSD.date)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_real_untc_table_loads_row_by_row(store: EmbeddedStore, settings: Settings, shared_dir: Path) -> None:
    path = shared_dir / UNTC
    data_rows = path.read_text(encoding="utf-8").splitlines()[1:]
    assert len(data_rows) == 18
    report = Ingest(store, settings).load("participation", [path])  # format told from the header
    assert report.violations == [] and report.records_written == 18
    assert count(store) == 18
    afghanistan = facts(store, "untoc", "AFG")  # Afghanistan,14 Dec 2000,24 Sep 2003
    assert afghanistan["participant"] == IRIS.country("AFG")
    assert afghanistan["instrument"] == IRIS.instrument("untoc")
    assert afghanistan["signatureDate"] == d("2000-12-14")
    assert afghanistan["consentDate"] == d("2003-09-24")
    assert afghanistan["consentType"] == IRIS.concept("consent-type", "ratification")
    bahrain = facts(store, "untoc", "BHR")  # Bahrain,,7 Jun 2004 a
    assert "signatureDate" not in bahrain
    assert bahrain["consentDate"] == d("2004-06-07")
    assert bahrain["consentType"] == IRIS.concept("consent-type", "accession")
    bahamas = facts(store, "untoc", "BHS")  # Bahamas,9 Apr 2001,26 Sep 2008
    assert (bahamas["signatureDate"], bahamas["consentDate"]) == (d("2001-04-09"), d("2008-09-26"))
    belize = facts(store, "untoc", "BLZ")  # Belize,,26 Sep 2003 a (last row)
    assert belize["consentType"] == IRIS.concept("consent-type", "accession")
    accessions = store.select("SELECT ?t (COUNT(?s) AS ?n) WHERE { ?s <" + S + "consentType> ?t } GROUP BY ?t",
                              bindings={"t": IRIS.concept("consent-type", "accession")}).rows
    assert int(accessions[0]["n"]) == 3  # Bahrain, Bangladesh, Belize


def test_suffixes_and_footnote_marks(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "status.csv", "# instrument: tip\n" + UNTC_HEADER
                 + "Montenegro4,,23 Oct 2006 d\n"
                 + "Czechia*,12 Dec 2000,24 Sep 2013 3\n"
                 + "Iran (Islamic Republic of),,7 Jun 2004 a 5\n"
                 + "Luxembourg,12 Dec 2000,20 Apr 2009 AA\n"
                 + "Netherlands (Kingdom of the)¹,12 Dec 2000,27 Jul 2005 A\n")
    report = Ingest(store, settings).load("participation", [path], source_format="untc")
    assert report.violations == [] and report.records_written == 5
    assert facts(store, "tip", "MNE")["consentType"] == IRIS.concept("consent-type", "succession")
    czechia = facts(store, "tip", "CZE")
    assert czechia["consentDate"] == d("2013-09-24")
    assert czechia["consentType"] == IRIS.concept("consent-type", "ratification")
    assert facts(store, "tip", "IRN")["consentType"] == IRIS.concept("consent-type", "accession")
    assert facts(store, "tip", "LUX")["consentType"] == IRIS.concept("consent-type", "approval")
    assert facts(store, "tip", "NLD")["consentType"] == IRIS.concept("consent-type", "acceptance")


def test_our_csv(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "participation.csv", OUR_HEADER
                 + "untoc,MEX,2000-12-13,2003-03-04,ratification,\"Declaration: the United Mexican States ...\"\n"
                 + "tip,NGA,,2001-06-28,accession,\n"
                 + "fp,USA,,,,\n")
    report = Ingest(store, settings).load("participation", [path], source_format="csv")
    assert report.violations == [] and report.records_written == 3
    mexico = facts(store, "untoc", "MEX")
    assert mexico["signatureDate"] == d("2000-12-13")
    assert mexico["consentType"] == IRIS.concept("consent-type", "ratification")
    assert str(mexico["declarations"]).startswith("Declaration:")
    assert facts(store, "tip", "NGA")["consentType"] == IRIS.concept("consent-type", "accession")
    assert [i.location.field for i in report.warnings] == ["consent_date"]  # USA row: no dates at all


def test_an_unknown_name_is_refused_with_its_place(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "untc-status-untoc.csv", UNTC_HEADER
                 + "Afghanistan,14 Dec 2000,24 Sep 2003\n"
                 + "Ruritania,12 Dec 2000,21 Aug 2002\n")
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as failed:
        Ingest(store, settings).load("participation", [path])
    [issue] = failed.value.issues
    assert (issue.location.file, issue.location.line, issue.location.field) == (str(path), 3, "Participant")
    assert "Ruritania" in issue.message
    assert snapshot(store) == before


def test_an_unknown_iso3_in_our_csv_is_refused(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", OUR_HEADER + "untoc,XYZ,,2003-01-01,ratification,\n")
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as failed:
        Ingest(store, settings).load("participation", [path])
    [issue] = failed.value.issues
    assert (issue.location.line, issue.location.field) == (2, "country")
    assert snapshot(store) == before


def test_the_european_union_is_a_party_but_not_a_country(store: EmbeddedStore, settings: Settings,
                                                         tmp_path: Path) -> None:
    """The EU (UNTC: ``21 May 2004 AA``, approval) loads as a regional economic integration
    organization under id/jurisdiction/EU, never as a sherloc:Country; also by its code in our CSV
    and by its former UN name."""
    path = write(tmp_path / "untc-untoc.csv", UNTC_HEADER + "European Union,12 Dec 2000,21 May 2004 AA\n")
    report = Ingest(store, settings).load("participation", [path])
    assert report.written and not report.violations
    eu = IRIS.jurisdiction("EU")
    assert facts(store, "untoc", "EU") == {
        "participant": eu, "instrument": IRIS.instrument("untoc"),
        "signatureDate": Literal("2000-12-12", datatype=XSD.date),
        "consentDate": Literal("2004-05-21", datatype=XSD.date),
        "consentType": IRIS.concept("consent-type", "approval"),
        "type": URIRef(S + "TreatyParticipation"),
        # the table's source, the instrument's UNTC status page (no date: the file name holds none)
        "http://purl.org/dc/terms/source": URIRef(UNTC_STATUS_PAGES["untoc"])}
    types = {r["t"] for r in store.select("SELECT ?e ?t WHERE { ?e a ?t }", bindings={"e": eu}).rows}
    assert types == {URIRef(S + "RegionalEconomicIntegrationOrganization")}
    assert store.select("SELECT ?c WHERE { ?c a <" + S + "Country> ; <http://www.w3.org/2004/02/skos/core#prefLabel> "
                        "\"European Union\"@en }").rows == []

    ours = write(tmp_path / "p.csv", OUR_HEADER + "tip,EU,2000-12-12,2006-04-06,approval,\n")
    assert not Ingest(store, settings).load("participation", [ours]).violations
    assert facts(store, "tip", "EU")["participant"] == eu
    older = write(tmp_path / "untc-som.csv", UNTC_HEADER + "European Community,12 Dec 2000,6 Sep 2006 AA\n")
    assert not Ingest(store, settings).load("participation", [older]).violations
    assert facts(store, "som", "EU")["participant"] == eu


@pytest.mark.parametrize("text, form, field", [
    (UNTC_HEADER + "Albania,12 Dec 2000,31 Feb 2003\n", "untc",
     "Ratification, Acceptance(A), Approval(AA), Accession(a), Succession(d)"),
    (UNTC_HEADER + "Albania,31 Feb 2003,\n", "untc", "Signature"),
    (OUR_HEADER + "untoc,ALB,2000-12-12,2003-02-31,ratification,\n", "csv", "consent_date"),
])

def test_an_impossible_date_is_refused(store: EmbeddedStore, settings: Settings, tmp_path: Path,
                                       text: str, form: str, field: str) -> None:
    path = write(tmp_path / "untoc-status.csv", text)
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as failed:
        Ingest(store, settings).load("participation", [path], source_format=form)
    [issue] = failed.value.issues
    assert (issue.location.line, issue.location.field) == (2, field)
    assert snapshot(store) == before


def test_an_unknown_suffix_is_not_taken_for_a_footnote(store: EmbeddedStore, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "untoc.csv", UNTC_HEADER + "Albania,,21 Aug 2002 b\n")
    with pytest.raises(ValidationFailed) as failed:
        Ingest(store, settings).load("participation", [path])
    assert "unknown suffix 'b'" in failed.value.issues[0].message


def test_reloading_changes_nothing(store: EmbeddedStore, settings: Settings, shared_dir: Path) -> None:
    ingest = Ingest(store, settings)
    ingest.load("participation", [shared_dir / UNTC])
    data = {q for q in snapshot(store) if GRAPH in q}
    ingest.load("participation", [shared_dir / UNTC])
    assert {q for q in snapshot(store) if GRAPH in q} == data
    assert count(store) == 18


def test_a_untc_table_needs_its_instrument(store: EmbeddedStore, settings: Settings, shared_dir: Path, tmp_path: Path) -> None:
    anonymous = tmp_path / "status-2024-05-04.csv"
    shutil.copy(shared_dir / UNTC, anonymous)
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as failed:
        Ingest(store, settings).load("participation", [anonymous])
    [issue] = failed.value.issues
    assert issue.location.field == "instrument" and "# instrument: untoc" in issue.message
    assert snapshot(store) == before

    said = write(tmp_path / "status-som.csv", "# instrument: untoc\n" + UNTC_HEADER + "Albania,12 Dec 2000,21 Aug 2002\n")
    with pytest.raises(ValidationFailed):  # comment and file name disagree
        Ingest(store, settings).load("participation", [said])
    said = write(tmp_path / "status.csv", "# instrument: som\n" + UNTC_HEADER + "Albania,12 Dec 2000,21 Aug 2002\n")
    Ingest(store, settings).load("participation", [said])
    assert facts(store, "som", "ALB")["consentDate"] == d("2002-08-21")


def test_a_untc_table_says_its_source_and_the_date_of_its_status(store: EmbeddedStore, settings: Settings,
                                                                 shared_dir: Path, tmp_path: Path) -> None:
    """Each row of a UNTC table carries the instrument's UNTC status page and the date the table gave
    the status as at: from the file name (the bundled copy), or a '# status as at:' line; a table
    that says neither records no date; two dates that disagree, or a date that is none, are refused."""
    bundled = settings.data_dir / "participation" / "untc-status-untoc-2024-05-04-partial.csv"
    assert bundled.read_bytes() == (shared_dir / UNTC).read_bytes()  # copied byte for byte
    Ingest(store, settings).load("participation", [bundled])
    albania = facts(store, "untoc", "ALB")
    assert albania["statusAsAt"] == d("2024-05-04")
    assert albania["http://purl.org/dc/terms/source"] == URIRef(UNTC_STATUS_PAGES["untoc"])
    assert (albania["signatureDate"], albania["consentDate"]) == (d("2000-12-12"), d("2002-08-21"))

    said = write(tmp_path / "status-tip.csv", "# instrument: tip\n# status as at: 2023-01-31\n" + UNTC_HEADER
                 + "Albania,12 Dec 2000,21 Aug 2002\n")
    Ingest(store, settings).load("participation", [said])
    assert facts(store, "tip", "ALB")["statusAsAt"] == d("2023-01-31")
    assert facts(store, "tip", "ALB")["http://purl.org/dc/terms/source"] == URIRef(UNTC_STATUS_PAGES["tip"])
    undated = write(tmp_path / "status-fp.csv", UNTC_HEADER + "Albania,,21 Aug 2002\n")
    Ingest(store, settings).load("participation", [undated])
    assert "statusAsAt" not in facts(store, "fp", "ALB")
    before = snapshot(store)
    for name, text, message in (
            ("status-som-2024-05-04.csv", "# status as at: 2023-01-31\n", "the file name says 2024-05-04"),
            ("status-som.csv", "# status as at: 31 Jan 2023\n", "must be written YYYY-MM-DD"),
            ("status-som-2024-05-04-2023-01-31.csv", "", "several dates")):
        path = write(tmp_path / name, text + UNTC_HEADER + "Albania,12 Dec 2000,21 Aug 2002\n")
        with pytest.raises(ValidationFailed) as failed:
            Ingest(store, settings).load("participation", [path])
        [issue] = failed.value.issues
        assert message in issue.message and issue.location.field == "as at", issue
        assert snapshot(store) == before
