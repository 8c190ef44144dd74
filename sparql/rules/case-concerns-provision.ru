# Rule: a case concerns a Convention provision when it refers to it directly, or applies a national
# provision that implements it (eli:applies), and it then also concerns every provision that
# contains it (a case on article 5 (1) (a) concerns article 5).
# Materialised into the inferred graph, recomputed whole after every load in the load's own
# transaction; asserted facts are never touched.
PREFIX sherloc: <https://w3id.org/sherloc/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>

DROP SILENT GRAPH <https://w3id.org/sherloc/graph/inferred> ;

INSERT { GRAPH <https://w3id.org/sherloc/graph/inferred> { ?case sherloc:concernsProvision ?concerned } }
WHERE {
  {
    GRAPH <https://w3id.org/sherloc/graph/cases> { ?case sherloc:refersToProvision ?provision }
  } UNION {
    GRAPH <https://w3id.org/sherloc/graph/cases> { ?case sherloc:appliesNationalProvision ?national }
    GRAPH <https://w3id.org/sherloc/graph/legislation> { ?national eli:applies ?provision }
  }
  GRAPH <https://w3id.org/sherloc/graph/instruments> { ?provision eli:is_part_of* ?concerned }
  FILTER NOT EXISTS { GRAPH <https://w3id.org/sherloc/graph/instruments> { ?concerned a sherloc:InternationalInstrument } }
}
