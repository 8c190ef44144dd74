"""The web explorer: server-rendered HTML pages over the same store, queries and access rules as
the API. One module per page family, each with its own router:

    home        /                                      what the graph holds, entry points
    language    /explore/language                      the language switch (a cookie)
    convention  /explore/instruments/...               instrument → article → paragraph, with links
    finder      /explore/search/{kind}[.csv]           faceted search over each database
    countries   /explore/countries[/{ISO3}]            participation, legislation, cases, authorities
    implementation /explore/countries/{ISO3}/implementation, /explore/gaps, /explore/countries/{ISO3}/quality
                                                       article 32: profile, gap matrix, data quality
    trends      /explore/trends                        charts of cases, TIP elements, ratifications
    workbench   /explore/sparql                        the SPARQL editor with the named queries
    review      /explore/review/submit                 article 32: a State's answers uploaded as CSV

Resource pages (the HTML of ``/id/...``) are rendered by :mod:`api.linked_data` in this frame.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import convention, countries, finder, home, implementation, review, trends, workbench

router = APIRouter(include_in_schema=False)
for _module in (home, convention, finder, countries, implementation, trends, workbench, review):
    router.include_router(_module.router)
