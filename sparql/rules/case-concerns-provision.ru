# Rule case-concerns-provision: a case concerns a Convention provision when it refers to it
# directly (sherloc:refersToProvision), or applies a national provision that implements it
# (sherloc:appliesNationalProvision followed by eli:ensures_implementation_of); it then also
# concerns every provision that contains it (a case on article 5 (1) (a) concerns article 5 (1) and
# article 5).
#
# Reads asserted facts only (graphs cases, legislation, instruments); writes
#   ?case sherloc:concernsProvision ?provision
# into the inferred graph. The runner (sherloc_kg/inference.py) runs every rule of this folder, in
# name order, in every load's own transaction: whole (the inferred graph emptied first) or scoped
# to the focus nodes the load may change, marked where the line "# scope ?case" stands. Scoped is
# exact because what this rule infers about ?case follows from ?case's own triples, those of the
# national provisions it links to by the property below (in the legislation and editorial graphs:
# a load of either marks the national provisions it writes, see sherloc_kg/inference.py), and the
# instruments graph (whose change
# runs the rules whole):
# follows <https://w3id.org/sherloc/ontology#appliesNationalProvision>
#
# Traceability: the derivation is not reified (the inferred graph stays one plain triple per link,
# queried like any other). The named query `why-inferred` (sparql/why-inferred.rq) returns, for an
# inferred link, every asserted fact it follows from (the case's reference or the case's applied
# national provision and that provision's eli:ensures_implementation_of, in graph legislation or
# editorial, and each eli:is_part_of step up to the concerned provision), with the graph each fact
# is asserted in and the name of this rule.
#
# Graph IRIs are written under the default base; the runner rewrites them to the configured base.
PREFIX sherloc: <https://w3id.org/sherloc/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>

# The two ways a case reaches a provision are a subquery: with the UNION and the property path in
# one group, Virtuoso 7.2 inferred nothing at all once the cases graph was large (1M triples in the
# store; tests/test_inference_remote.py), while each way alone, or the subquery, gives every link.
INSERT { GRAPH <https://w3id.org/sherloc/graph/inferred> { ?case sherloc:concernsProvision ?concerned } }
WHERE {
  {
    SELECT DISTINCT ?case ?provision WHERE {
      {
        # scope ?case
        GRAPH <https://w3id.org/sherloc/graph/cases> { ?case sherloc:refersToProvision ?provision }
      } UNION {
        # scope ?case
        GRAPH <https://w3id.org/sherloc/graph/cases> { ?case sherloc:appliesNationalProvision ?national }
        GRAPH <https://w3id.org/sherloc/graph/legislation> { ?national eli:ensures_implementation_of ?provision }
      } UNION {
        # scope ?case
        GRAPH <https://w3id.org/sherloc/graph/cases> { ?case sherloc:appliesNationalProvision ?national }
        GRAPH <https://w3id.org/sherloc/graph/editorial> { ?national eli:ensures_implementation_of ?provision }
      }
    }
  }
  GRAPH <https://w3id.org/sherloc/graph/instruments> { ?provision eli:is_part_of* ?concerned }
  FILTER NOT EXISTS { GRAPH <https://w3id.org/sherloc/graph/instruments> { ?concerned a sherloc:InternationalInstrument } }
}
