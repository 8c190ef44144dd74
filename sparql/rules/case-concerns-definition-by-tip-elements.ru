# Rule case-concerns-definition-by-tip-elements: a case that records any element of trafficking in
# persons as the TIP Protocol defines it (an act, a means or a purpose of article 3 (a):
# sherloc:tipAct, sherloc:tipMeans, sherloc:tipPurpose) concerns the definition it applies,
# TIP art. 3 (a), and every provision that contains it (art. 3). The elements are the source's own
# reading of the decision against that definition, so the link follows from the record alone; it
# is not a citation (a query tells them apart: the case has no sherloc:refersToProvision to it).
#
# Reads asserted facts only (graphs cases, instruments: the provision whose skos:notation is
# "tip/art/3/a", found by notation so that the rule holds under any configured base); writes
#   ?case sherloc:concernsProvision ?provision
# into the inferred graph. Run by sherloc_kg/inference.py in every load's transaction, whole or
# scoped to the cases the load may change ("# scope ?case" below). Scoped is exact because what the
# rule infers about ?case follows from ?case's own triples and the instruments graph (whose change
# runs the rules whole).
#
# Traceability: the named query `why-inferred` returns, for such a link, each TIP element the case
# records (graph cases) and each eli:is_part_of step from art. 3 (a) up to the concerned provision.
#
# Graph IRIs are written under the default base; the runner rewrites them to the configured base.
PREFIX sherloc: <https://w3id.org/sherloc/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

# The cases are a subquery of their own (one row per case however many elements it records) and the
# property path stays outside it, as in case-concerns-provision.ru (Virtuoso 7.2).
INSERT { GRAPH <https://w3id.org/sherloc/graph/inferred> { ?case sherloc:concernsProvision ?concerned } }
WHERE {
  {
    SELECT DISTINCT ?case WHERE {
      # scope ?case
      GRAPH <https://w3id.org/sherloc/graph/cases> { ?case ?element ?concept }
      FILTER(?element IN (sherloc:tipAct, sherloc:tipMeans, sherloc:tipPurpose))
    }
  }
  GRAPH <https://w3id.org/sherloc/graph/instruments> { ?definition skos:notation "tip/art/3/a" }
  GRAPH <https://w3id.org/sherloc/graph/instruments> { ?definition eli:is_part_of* ?concerned }
  FILTER NOT EXISTS { GRAPH <https://w3id.org/sherloc/graph/instruments> { ?concerned a sherloc:InternationalInstrument } }
}
