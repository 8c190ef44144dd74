"""Publishing and withdrawing review answers (article 32; api/review.py gives the model):

    POST /api/review/submissions/{id}/publish   an official of the answer's State, or an admin,
                                                publishes the answer's current version
    POST /api/review/submissions/{id}/withdraw  the same people withdraw a published answer

Publishing moves the answer's state and its current version from the State's restricted graph
``review-restricted/{ISO3}`` to the public ``review``, except the names of people
(``review.PERSONAL``), which stay restricted. Withdrawing takes the answer's state back out of
``review`` into the State's graph, exactly as a new submission of the answer does (one way:
``review.restricted_writes``); the versions that were published stay public, as history, and the
withdrawal is recorded there: ``{answer}/withdrawal/{instant}`` ``a sherloc:ReviewWithdrawal``
(a ``prov:Activity``), ``sherloc:withdrew`` the answer, ``prov:invalidated`` the version that was
public, ``prov:wasAssociatedWith`` the agent (its role and State; its name stays in the State's
graph, as a publisher's does), ``prov:endedAtTime`` when. Each is one transaction, with the change
feed's versions (sherloc_kg/versions.py), in the store's writing turn (api/review_versions.py).
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import unquote

from fastapi import APIRouter, Depends
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.access import Caller
from sherloc_kg.errors import Conflict, Forbidden, NotFound
from sherloc_kg.inference import Inference
from sherloc_kg.loaders.review import PUBLIC, RESTRICTED
from sherloc_kg.namespaces import DCTERMS, PROV, RDF, SHERLOC
from sherloc_kg import versions
from sherloc_kg.store import RecordWrite

from . import review
from .context import Context, caller, context
from .review_versions import writing

router = APIRouter(tags=["review"])


@router.post("/api/review/submissions/{answer_id}/publish",
             summary="Publish a review answer: its state and current version to the public graph")
def publish(answer_id: str, ctx: Context = Depends(context), who: Caller = Depends(caller)) -> dict:
    """Publish the answer's current version: an official of its State, or an admin."""
    who.require(*review.PUBLISH_ROLES)
    iris = ctx.iris
    answer = iris.review(answer_id)
    public = str(iris.graph(PUBLIC))
    with writing(ctx):
        existing = review._existing(ctx.store, iris, answer)
        # Another State's answer is answered as one that does not exist (same status, same words):
        # a different refusal would tell which ids exist and whose they are (issue 24).
        if not existing["graphs"] or not review._may_write_for(who, existing["country"]):
            raise NotFound(f"no review answer with id {answer_id!r} that this token may publish (an official "
                           "publishes the answers of its own State)")
        version = existing["current"]
        if existing["graphs"] == {public}:
            return {"id": answer_id, "iri": str(answer), "published": True, "already": True,
                    "version": str(version) if version is not None else None}
        when = review._now()
        # The restricted graphs the answer and its current version are in: its State's graph (and,
        # for an answer stored before the graphs were split by State, the old single one).
        home = str(iris.state_graph(RESTRICTED, unquote(existing["country"] or "")))
        holders = sorted(g for g in existing["graphs"] | (review._graphs_of(ctx.store, iris, version) if version is not None
                                                         else set()) | {home} if review._review_restricted(iris, g))
        state = [t for g in holders for t in review._triples_of(ctx.store, iris, g, answer) if t[1] not in (SHERLOC.published,)]
        state += [(answer, SHERLOC.published, Literal(True)), (answer, DCTERMS.issued, when)]
        moved: list[tuple] = []
        # Names of people stay restricted, in the State's graph: the publisher's, the submitter's.
        kept: list[tuple] = review.agent_triples(iris, who)
        agents: list[tuple] = review._impersonal(review.agent_triples(iris, who))
        if version is not None:
            for triple in (t for g in holders for t in review._triples_of(ctx.store, iris, g, version)):
                if triple[1] == PROV.wasRevisionOf and not review._triples_of(ctx.store, iris, public, triple[2]):
                    kept.append(triple)  # the version before was never published: its IRI stays restricted
                elif triple[1] in review.PERSONAL:
                    kept.append(triple)
                else:
                    moved.append(triple)
                if triple[1] == PROV.wasAttributedTo:
                    found = [t for g in holders for t in review._triples_of(ctx.store, iris, g, triple[2])]
                    kept += found
                    agents += review._impersonal(found)
            # Published again after a withdrawal, the version keeps its first publication (one
            # dcterms:issued, one publisher, as the history lists it); the answer's dcterms:issued
            # says when it was published last.
            if not any(t[1] == DCTERMS.issued for t in review._triples_of(ctx.store, iris, public, version)):
                moved += [(version, SHERLOC.publishedBy, review.agent_iri(iris, who)), (version, DCTERMS.issued, when)]
        records = [str(answer)] + ([str(version)] if version is not None else [])
        writes = [RecordWrite(g, records, kept if g == home else []) for g in holders]
        writes.append(RecordWrite(public, [str(answer)], state + moved + agents))
        if version is not None:
            provenance = str(iris.graph("provenance"))
            writes += [RecordWrite(g, [str(answer)]) for g in review._provenance_graphs(ctx.store, iris, answer)
                       if g != provenance]
            writes.append(RecordWrite(provenance, [str(answer)], [(answer, SHERLOC.currentVersion, version)]))
        run = Inference(ctx.settings, iris).for_write(ctx.store, writes)
        # with the change feed's versions of the answer's members, in the same transaction (sherloc_kg/versions.py)
        versions.write(ctx.store, iris, writes, before=run.before, then=run.then)
    return {"id": answer_id, "iri": str(answer), "published": True, "published_at": str(when),
            "published_by": who.name, "version": str(version) if version is not None else None}


@router.post("/api/review/submissions/{answer_id}/withdraw",
             summary="Withdraw a published review answer: its state back to its State's restricted graph")
def withdraw(answer_id: str, ctx: Context = Depends(context), who: Caller = Depends(caller)) -> dict:
    """Withdraw a published answer: an official of its State, or an admin. Its state leaves the
    public ``review`` graph for its State's ``review-restricted/{ISO3}``, as after a new submission;
    its published versions stay public, as history, with the withdrawal (who, by role and State,
    and when). 409 for an answer that is not published."""
    who.require(*review.PUBLISH_ROLES)
    iris = ctx.iris
    answer = iris.review(answer_id)
    public = str(iris.graph(PUBLIC))
    with writing(ctx):
        existing = review._existing(ctx.store, iris, answer)
        country = unquote(existing["country"] or "")
        mine = review._may_write_for(who, existing["country"])
        if public not in existing["graphs"]:
            if not existing["graphs"] or not mine:
                # As publish: another State's unpublished answer is answered as one that does not exist.
                raise NotFound(f"no review answer with id {answer_id!r} that this token may withdraw (an official "
                               "withdraws the published answers of its own State)")
            raise Conflict(f"review answer {answer_id!r} is not published, so there is nothing to withdraw: it is "
                           "seen by its State's submitters and officials only")
        if not mine:  # a published answer: whose it is is public
            raise Forbidden(f"review answer {answer_id!r} is State {country}'s: a {who.role.value} token of "
                            f"{who.country or 'no State'} withdraws the published answers of its own State only")
        when = _instant()
        version = existing["current"]
        name = f"{RESTRICTED}/{country}"
        # The answer's public state, unpublished; the names of people stay in the State's graph.
        state = [t for t in review._triples_of(ctx.store, iris, public, answer)
                 if t[1] not in (SHERLOC.published, DCTERMS.issued)]
        state += [(answer, SHERLOC.published, Literal(False))] + review.agent_triples(iris, who)
        activity = URIRef(f"{answer}/withdrawal/{when.toPython().strftime('%Y%m%dT%H%M%S%fZ')}")
        record = [(activity, RDF.type, SHERLOC.ReviewWithdrawal), (activity, RDF.type, PROV.Activity),
                  (activity, SHERLOC.withdrew, answer), (activity, PROV.wasAssociatedWith, review.agent_iri(iris, who)),
                  (activity, PROV.endedAtTime, when)]
        if version is not None:
            record.append((activity, PROV.invalidated, version))
        record += review._impersonal(review.agent_triples(iris, who))
        writes: list[RecordWrite] = review.restricted_writes(ctx.store, iris, answer, existing["graphs"], name,
                                                             version, state, public=record)
        run = Inference(ctx.settings, iris).for_write(ctx.store, writes)
        # with the change feed's versions of the answer's members, in the same transaction (sherloc_kg/versions.py)
        versions.write(ctx.store, iris, writes, before=run.before, then=run.then)
    return {"id": answer_id, "iri": str(answer), "published": False, "withdrawn_at": str(when),
            "withdrawn_by": who.name, "withdrawal": str(activity),
            "version": str(version) if version is not None else None}


def _instant() -> Literal:
    """Now, to the microsecond: a withdrawal's IRI is named by it (an answer may be withdrawn again
    after it is published again)."""
    return Literal(datetime.now(timezone.utc).isoformat(timespec="microseconds"), datatype=XSD.dateTime)
