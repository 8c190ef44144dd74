from rdflib import URIRef

import pytest

from sherloc_kg.errors import UsageError
from sherloc_kg.iris import Iris, slug


def test_provision_iris_follow_the_architecture() -> None:
    iris = Iris()
    assert iris.provision("untoc/art/5/1/a") == URIRef("https://w3id.org/sherloc/id/instrument/untoc/art/5/1/a")
    assert iris.provision("tip/art/3/a") == URIRef("https://w3id.org/sherloc/id/instrument/tip/art/3/a")
    assert iris.provision_reference("https://w3id.org/sherloc/id/instrument/untoc/art/18/13") == "untoc/art/18/13"
    assert iris.provision_reference("https://w3id.org/sherloc/id/case/BRA016") is None


@pytest.mark.parametrize("bad", ["untoc/5", "unodc/art/5", "untoc/art/5/", "untoc/art/five", "untoc/art/5/1/A", ""])
def test_malformed_provision_references_are_refused_with_the_expected_form(bad: str) -> None:
    with pytest.raises(UsageError, match=r"expected \{untoc\|tip\|som\|fp\}/art/"):
        Iris().provision(bad)


def test_ids_cannot_escape_their_segment() -> None:
    iris = Iris()
    assert iris.case("a/../b c") == URIRef("https://w3id.org/sherloc/id/case/a%2F..%2Fb%20c")
    assert iris.case('x>"<y') == URIRef("https://w3id.org/sherloc/id/case/x%3E%22%3Cy")


def test_national_provision_references_default_to_the_referring_country() -> None:
    iris = Iris()
    assert iris.national_provision_ref("BRA-cp-1940#149-A", "BRA") == URIRef(
        "https://w3id.org/sherloc/id/legislation/BRA/BRA-cp-1940/art/149-A")
    assert iris.national_provision_ref("ARG:ley-26364#2", "BRA") == URIRef(
        "https://w3id.org/sherloc/id/legislation/ARG/ley-26364/art/2")
    with pytest.raises(UsageError, match="national provision reference"):
        iris.national_provision_ref("BRA-cp-1940", "BRA")


def test_base_is_configurable_and_rebases_data_but_not_ontology_terms() -> None:
    iris = Iris("http://localhost:8000/")
    assert iris.case("BRA016") == URIRef("http://localhost:8000/id/case/BRA016")
    assert iris.rebase("https://w3id.org/sherloc/vocab/crime-type/corruption") == "http://localhost:8000/vocab/crime-type/corruption"
    assert iris.rebase("https://w3id.org/sherloc/ontology#CourtCase") == "https://w3id.org/sherloc/ontology#CourtCase"
    assert iris.href("http://localhost:8000/id/case/BRA016") == "/id/case/BRA016"
    # a link keeps the escapes, so that it asks for the same IRI (issue 23: "ALB 9#1" was a 404)
    assert iris.href(str(iris.case("ALB 9#1"))) == "/id/case/ALB%209%231"
    assert iris.href("https://elsewhere.example/id/case/X") is None


def test_unknown_graph_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        Iris().graph("secrets")


def test_slug_is_readable_and_stable() -> None:
    assert slug("Supremo Tribunal Federal (Brasília)") == "supremo-tribunal-federal-brasilia"
    assert slug("!!!") == "unnamed"
