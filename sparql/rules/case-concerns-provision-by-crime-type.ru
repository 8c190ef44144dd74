# Rule case-concerns-provision-by-crime-type: a case concerns the provision of the Convention or a
# Protocol that obliges States Parties to criminalize its crime type (the mapping
# sherloc:criminalizedUnder of the crime-type vocabulary, ontology/vocabularies/crime-type.ttl:
# trafficking in persons → TIP art. 5 (1), smuggling of migrants → SOM art. 6 (1), ...; a crime
# type with no such provision maps to nothing), and every provision that contains it (art. 5).
# The vocabulary says why each level was chosen (skos:scopeNote). The link is not a citation: the
# case has no sherloc:refersToProvision to it.
#
# Reads asserted facts only (graphs cases, vocabularies, instruments); writes
#   ?case sherloc:concernsProvision ?provision
# into the inferred graph. Run by sherloc_kg/inference.py in every load's transaction, whole or
# scoped to the cases the load may change ("# scope ?case" below). Scoped is exact because what the
# rule infers about ?case follows from ?case's own triples and the reference graphs vocabularies
# and instruments (whose change runs the rules whole: install_reference replaces them, and
# inference.REFERENCE_GRAPHS names both).
#
# Traceability: the named query `why-inferred` returns, for such a link, the case's crime type
# (graph cases), the crime type's sherloc:criminalizedUnder (graph vocabularies) and each
# eli:is_part_of step up to the concerned provision.
#
# Graph IRIs are written under the default base; the runner rewrites them to the configured base.
PREFIX sherloc: <https://w3id.org/sherloc/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>

INSERT { GRAPH <https://w3id.org/sherloc/graph/inferred> { ?case sherloc:concernsProvision ?concerned } }
WHERE {
  {
    SELECT DISTINCT ?case ?provision WHERE {
      # scope ?case
      GRAPH <https://w3id.org/sherloc/graph/cases> { ?case sherloc:crimeType ?type }
      GRAPH <https://w3id.org/sherloc/graph/vocabularies> { ?type sherloc:criminalizedUnder ?provision }
    }
  }
  GRAPH <https://w3id.org/sherloc/graph/instruments> { ?provision eli:is_part_of* ?concerned }
  FILTER NOT EXISTS { GRAPH <https://w3id.org/sherloc/graph/instruments> { ?concerned a sherloc:InternationalInstrument } }
}
