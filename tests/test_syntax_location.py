"""A syntax error is located (line, column, what was expected) whichever store refused the text: a
SPARQL server that says no place, as Virtuoso 7 does, gets the place from parsing the client's
text alone (api/sparql_endpoint.py). The message below is Virtuoso 7.2.5's own, as its endpoint
answered the query of the first test."""

from __future__ import annotations

from sherloc_kg.errors import QueryError

from api.sparql_endpoint import _located

VIRTUOSO = ("Virtuoso refused the query: Virtuoso 37000 Error SP030: SPARQL compiler, line 0: Parentheses are "
            "not balanced at '}'")


def test_a_server_that_gives_no_place_gets_line_and_column() -> None:
    text = "SELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTER(\n}"
    message = str(_located(QueryError(VIRTUOSO), text, 0))
    assert message.startswith("SPARQL query syntax error at line 5, column 2: expected one of")
    assert "\n  }\n   ^" in message
    # relative IRIs resolve while parsing alone; the endpoint's added BASE line does not count
    assert "line 4, column 2" in str(_located(QueryError(VIRTUOSO), "SELECT * {\n  <rel> ?p ?o\n  FILTER(\n}", 1))


def test_an_update_is_parsed_as_an_update() -> None:
    message = str(_located(QueryError(VIRTUOSO), "INSERT DATA {\n  <a:b> <a:b> \n}", 0))
    assert "syntax error at line 3, column 1" in message


def test_a_text_that_parses_or_could_reach_out_keeps_the_servers_words() -> None:
    words = "Virtuoso refused the query: Virtuoso 42000 Error SR186: No permission"
    assert str(_located(QueryError(words), "SELECT * { ?s ?p ?o }", 0)) == words
    # SERVICE and LOAD are never run, not even on an empty store
    assert str(_located(QueryError(VIRTUOSO), "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } FILTER( }", 0)) == VIRTUOSO
    assert str(_located(QueryError(VIRTUOSO), "LOAD <http://127.0.0.1:9/x> INTO GRAPH <a:b> (", 0)) == VIRTUOSO
