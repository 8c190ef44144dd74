"""The SPARQL lexer: keywords only where they are syntax, never inside strings, IRIs or comments."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from sherloc_kg.sparql_text import dataset_clauses, first_keyword, has_relative_iri, keywords, query_form, with_base, \
    tokens, update_names_dataset, with_using

TRICKY = '''PREFIX ex: <http://example.org/>
# SELECT * FROM <http://evil/comment> { SERVICE <http://evil/> {} }
ASK FROM ex:g {
  ?s ex:p "FROM <http://evil/string> WHERE { SERVICE" .
  ?s ex:q 'it\\'s { not a brace' .
  ?s ex:r """multi
line } FROM <http://evil/long> """ .
  ?s ex:t \'\'\'a ' and '' inside\'\'\' .
  ?s <http://example.org/SERVICE> ?o .   # } SERVICE in a comment
  FILTER(?o < 3 && ?o > 1)
}'''


def test_strings_comments_and_iris_hide_keywords() -> None:
    assert keywords(TRICKY) == {"PREFIX", "ASK", "FROM", "FILTER"}
    assert "SERVICE" not in keywords(TRICKY)


def test_brace_depth_ignores_braces_in_strings_and_comments() -> None:
    items = tokens(TRICKY)
    assert items[-1].text == "}" and items[-1].depth == 0
    assert [t.text for t in items if t.kind == "punct" and t.text in "{}"] == ["{", "}"]
    assert all(t.depth == 1 for t in items if t.kind == "var")


def test_comparison_is_not_an_iri() -> None:
    kinds = [(t.kind, t.text) for t in tokens("FILTER(?a<?b && ?c > ?d)")]
    assert ("punct", "<") in kinds and not any(kind == "iri" for kind, _ in kinds)


def test_escaped_quotes_and_unterminated_strings() -> None:
    assert [t.text for t in tokens(r'"a \" FROM" x')] == [r'"a \" FROM"', "x"]
    # An unterminated string runs to the end: nothing after it is a keyword.
    assert keywords('SELECT * { ?s ?p "open { SERVICE <x> } }') == {"SELECT"}


@pytest.mark.parametrize(("text", "form"), [
    ("SELECT * {}", "SELECT"),
    ("prefix ex: <http://e/> base <http://b/> ask {}", "ASK"),
    ("# CONSTRUCT\nDESCRIBE <x>", "DESCRIBE"),
    ("PREFIX : <http://e/>\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("INSERT DATA { <a> <b> <c> }", None),
    ("'SELECT'", None),
    ("", None),
])
def test_query_form(text: str, form: str | None) -> None:
    assert query_form(text) == form


def test_first_keyword_of_an_update() -> None:
    assert first_keyword("PREFIX ex: <http://e/>\n# SELECT\nINSERT DATA {}") == "INSERT"


def test_dataset_clauses_resolve_prefixes_and_base() -> None:
    text = '''BASE <http://base.example/dir/>
PREFIX g: <http://graphs.example/>
PREFIX rel: <sub/>
SELECT * FROM g:one FROM <two> FROM NAMED rel:three FROM NAMED <http://abs.example/four>
WHERE { { SELECT * FROM <http://sub/not-a-clause> WHERE {} } ?s ?p "FROM <http://str/>" }'''
    assert dataset_clauses(text) == (
        ["http://graphs.example/one", "http://base.example/dir/two"],
        ["http://base.example/dir/sub/three", "http://abs.example/four"],
    )


def test_dataset_clauses_after_a_construct_template() -> None:
    text = "CONSTRUCT { ?s ?p ?o } FROM <http://g/1> FROM NAMED <http://g/2> WHERE { ?s ?p ?o }"
    assert dataset_clauses(text) == (["http://g/1"], ["http://g/2"])


def test_dataset_clauses_relative_iri_uses_the_given_base_or_is_left_out() -> None:
    assert dataset_clauses("SELECT * FROM <g> {}", "http://host/sparql") == (["http://host/g"], [])
    assert dataset_clauses("SELECT * FROM <g> FROM nope:x {}") == ([], [])


def test_dataset_clauses_escapes_in_local_names() -> None:
    assert dataset_clauses(r"PREFIX e: <http://e/> SELECT * FROM e:a\-b {}") == (["http://e/a-b"], [])


@pytest.mark.parametrize(("text", "names"), [
    ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True),
    ("DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }", True),
    ("CLEAR ALL ; INSERT { ?s ?p 1 } USING NAMED <http://g> WHERE { GRAPH ?g { ?s ?p ?o } }", True),
    ('INSERT DATA { <a> <b> "WITH USING" } # USING <x>', False),
    ("INSERT { ?s ?p ?o } WHERE { ?s <http://e/USING> ?o }", False),
])
def test_update_names_dataset(text: str, names: bool) -> None:
    assert update_names_dataset(text) is names


def test_with_using_rewrites_only_modify_operations() -> None:
    update = '''PREFIX foaf: <http://xmlns.com/foaf/0.1/>
CLEAR ALL ;
INSERT DATA { GRAPH <http://g/d> { <http://s> foaf:name "WHERE ; {" } } ;
DELETE WHERE { ?s foaf:nick ?o } ;
DELETE DATA { <http://s> foaf:nick "x" } ;
INSERT { GRAPH <http://g/out> { ?s a foaf:Document } }
WHERE { ?s a foaf:Document FILTER NOT EXISTS { ?s foaf:name "WHERE" } } ;
DELETE { ?s foaf:nick ?o } INSERT { ?s foaf:name ?o } WHERE { ?s foaf:nick ?o }'''
    rewritten = with_using(update, ["http://g/1"], ["http://g/2"])
    clause = "USING <http://g/1> USING NAMED <http://g/2> WHERE"
    assert rewritten.count(clause) == 2
    assert "INSERT { GRAPH <http://g/out> { ?s a foaf:Document } }\n" + clause in rewritten
    assert "INSERT { ?s foaf:name ?o } " + clause in rewritten
    assert rewritten.replace("USING <http://g/1> USING NAMED <http://g/2> ", "") == update
    assert with_using(update, [], []) == update


def test_with_using_changes_what_the_update_reads() -> None:
    """The rewrite, run by the engine, reads exactly the protocol's graphs."""
    store = ox.Store()
    for graph in ("http://g/1", "http://g/2"):
        store.add(ox.Quad(ox.NamedNode(f"{graph}/doc"), ox.NamedNode("http://p"), ox.Literal("x"),
                          ox.NamedNode(graph)))
    store.update(with_using("INSERT { GRAPH <http://out> { ?s <http://seen> 1 } } WHERE { ?s ?p ?o }",
                            ["http://g/1"], []))
    seen = {str(q.subject.value) for q in store.quads_for_pattern(None, None, None, ox.NamedNode("http://out"))}
    assert seen == {"http://g/1/doc"}


def test_service_and_load_are_seen_only_as_keywords() -> None:
    assert "SERVICE" in keywords("SELECT * { service <http://x/> { ?s ?p ?o } }")
    assert "LOAD" in keywords("load <http://x/data.ttl> INTO GRAPH <http://g>")
    assert "SERVICE" not in keywords("SELECT ?service { ?service <http://e/SERVICE> ex:SERVICE }")
    assert "LOAD" not in keywords('INSERT DATA { <a> <b> "LOAD <http://x>" }')


def test_relative_iris() -> None:
    assert has_relative_iri("CONSTRUCT { <s> <p> 1 } WHERE {}")
    assert has_relative_iri("PREFIX : <#> SELECT * {}")
    assert not has_relative_iri('SELECT * { <http://a> <urn:b> "<rel>" } # <rel>')


def test_a_base_is_added_only_where_the_text_has_none_of_its_own() -> None:
    endpoint = "http://kg.example/sparql"
    # a relative IRI and no BASE: the endpoint's, one line before the text
    assert with_base("SELECT * { <s> ?p ?o }", endpoint) == (f"BASE <{endpoint}>\nSELECT * {{ <s> ?p ?o }}", 1)
    # an absolute BASE of its own: sent as written (Virtuoso 7 refuses a second BASE)
    own = "BASE <http://other.example/d/> SELECT * { <s> ?p ?o }"
    assert with_base(own, endpoint) == (own, 0)
    # a relative BASE is resolved in its place, against the endpoint, then the next against it
    text = "BASE <d/> PREFIX : <#> BASE <e/> SELECT * { <s> :p ?o }"
    assert with_base(text, endpoint) == (
        "BASE <http://kg.example/d/> PREFIX : <#> BASE <http://kg.example/d/e/> SELECT * { <s> :p ?o }", 0)
    # a relative IRI before the text's BASE still needs the endpoint's
    assert with_base("PREFIX : <#> BASE <http://o.example/> SELECT * {}", endpoint)[1] == 1
    # nothing relative: nothing added; an IRI inside a string or a comment is not an IRI
    plain = 'SELECT * { <http://a> <urn:b> "<rel>" } # <rel>'
    assert with_base(plain, endpoint) == (plain, 0)
