# Rule implementation-counts-for-containing-provision: a national provision recorded as
# implementing a paragraph, subparagraph or item of the Convention or a Protocol
# (eli:ensures_implementation_of) also counts as implementing every provision that contains it, up
# to the article: a national provision implementing article 5 (1) (a) implements article 5 (1) and
# article 5.
#
# An implementation our editors claim (eli:ensures_implementation_of in the editorial graph,
# loaders/editorial.py, with who, when and why) counts like a recorded one; the national provision
# must be recorded (rdf:type in the legislation graph).
#
# Reads asserted facts only (graphs legislation, editorial, instruments); writes
#   ?national eli:ensures_implementation_of ?containing
# into the inferred graph, the same property the source uses (ELI has no narrower term for a part's
# implementation counting for the whole, see docs/model.md "ELI"), so that a query over the public
# dataset finds article-level implementation without walking the provision tree. A link the source
# already asserts is not repeated. To tell recorded from inferred implementation, ask GRAPH:
# asserted links are in the legislation graph, with the national provision's rdf:type; inferred
# ones only in the inferred graph.
#
# Run by sherloc_kg/inference.py in every load's transaction, whole (the inferred graph emptied
# first) or scoped to the national provisions the load may change ("# scope ?national": what it
# infers about ?national follows from ?national's own triples and the instruments graph).
# Traceability: the named query `why-inferred` returns the asserted eli:ensures_implementation_of
# (its graph says recorded, legislation, or claimed, editorial) and each eli:is_part_of step that a
# link follows from.
#
# Graph IRIs are written under the default base; the runner rewrites them to the configured base.
PREFIX sherloc: <https://w3id.org/sherloc/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>

# The two sources of an implementation link are a subquery, the property path outside it (Virtuoso
# 7.2: see case-concerns-provision.ru).
INSERT { GRAPH <https://w3id.org/sherloc/graph/inferred> { ?national eli:ensures_implementation_of ?containing } }
WHERE {
  {
    SELECT DISTINCT ?national ?provision WHERE {
      {
        # scope ?national
        GRAPH <https://w3id.org/sherloc/graph/legislation> { ?national a sherloc:NationalProvision ; eli:ensures_implementation_of ?provision }
      } UNION {
        # scope ?national
        GRAPH <https://w3id.org/sherloc/graph/editorial> { ?national eli:ensures_implementation_of ?provision }
        GRAPH <https://w3id.org/sherloc/graph/legislation> { ?national a sherloc:NationalProvision }
      }
    }
  }
  GRAPH <https://w3id.org/sherloc/graph/instruments> { ?provision eli:is_part_of+ ?containing }
  FILTER NOT EXISTS { GRAPH <https://w3id.org/sherloc/graph/instruments> { ?containing a sherloc:InternationalInstrument } }
  FILTER NOT EXISTS { GRAPH <https://w3id.org/sherloc/graph/legislation> { ?national eli:ensures_implementation_of ?containing } }
  FILTER NOT EXISTS { GRAPH <https://w3id.org/sherloc/graph/editorial> { ?national eli:ensures_implementation_of ?containing } }
}
