"""The web explorer: server-rendered HTML pages over the same store, queries and access rules as
the API. One module per page family, each with its own router:

    home        /                                      what the graph holds, entry points
    language    /explore/language                      the language switch (a cookie)
    convention  /explore/instruments/...               instrument → article → paragraph, with links
    finder      /explore/search/{kind}[.csv]           faceted search over each database
    countries   /explore/countries[/{ISO3}]            participation, legislation, cases, authorities
    cases       /explore/cases/{id}                    a court case written for readers
    concepts    /explore/concepts/{scheme}[/{notation}] a vocabulary and its concepts written for readers
    authorities /explore/authorities/{id}              a competent national authority written for readers
    publications /explore/publications/{id}            a publication of the bibliography written for readers
    laws        /explore/laws/{ISO3}/{law id}          a national law and its provisions, for readers
    implementation /explore/countries/{ISO3}/implementation, /explore/gaps, /explore/countries/{ISO3}/quality
                                                       article 32: profile, gap matrix, data quality
    trends      /explore/trends                        charts of cases, TIP elements, ratifications
    workbench   /explore/sparql                        the SPARQL editor with the named queries
    review      /explore/review/submit                 article 32: a State's answers uploaded as CSV
    questionnaire /explore/review/questionnaire        article 32: a State's answers, article by article
    dataset     /dataset (asked for as HTML)           the DCAT description in words, with the dumps (its
                                                       route is api/dataset.py's, which also answers the RDF)

Resource pages (the HTML of ``/id/...``) are rendered by :mod:`api.linked_data` in this frame.

Every page has a JSON twin under ``/api/`` serving the data it renders, each naming the other in
``Link: rel="alternate"`` (:mod:`.twins`). The twins that no other router of the application serves
are included here, documented in /openapi.json (the pages are not):

    overview     /api/overview                          the home page's data
    instruments  /api/instruments[/{code}[/art/...]]    the Convention browser's
    countries    /api/countries[/{ISO3}]                the countries pages'
    cases        /api/cases/{id}                        the case pages'
    concepts     /api/concepts/{scheme}[/{notation}]    the vocabulary and concept pages'
    authorities  /api/authorities/{id}                  the authority pages'
    publications /api/publications/{id}                the publication pages'
    laws         /api/laws/{ISO3}/{law id}              the law pages'
    trends       /api/trends                            the trends page's
    review_csv   /api/review/submission-format          what the review upload form takes
    review_questionnaire /api/review/questionnaire      the review questionnaire's questions and answers
    session_status /api/session                         who the sign-in page says is signed in
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter


def _router() -> APIRouter:
    """The pages' routers (left out of /openapi.json) and the JSON twins' (documented)."""
    from .. import authorities as authorities_data
    from .. import cases as cases_data
    from .. import concepts as concepts_data
    from .. import countries as countries_data
    from .. import instruments, overview, review_csv, review_questionnaire, session_status
    from .. import laws as laws_data
    from .. import publications as publications_data
    from .. import trends as trends_data
    from . import (authorities, cases, concepts, convention, countries, finder, home, implementation, laws, publications,
                   questionnaire, review, trends, workbench)

    router = APIRouter()
    for module in (home, convention, finder, countries, cases, laws, concepts, authorities, publications, implementation,
                   trends, workbench, review, questionnaire):
        router.include_router(module.router, include_in_schema=False)
    for module in (overview, instruments, countries_data, cases_data, laws_data, concepts_data, authorities_data,
                   publications_data, trends_data, review_csv, review_questionnaire, session_status):
        router.include_router(module.router)
    return router


def __getattr__(name: str) -> Any:
    """``router``, assembled on first use: the twins' modules (api/countries.py...) use this
    package's layout and twins, so importing one of them first must not import every page."""
    if name == "router":
        globals()["router"] = found = _router()
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
