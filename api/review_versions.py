"""Review version numbers under several web processes (issue 20, item 3).

Each submission of a review answer stores a new version ``{answer}/version/{n}``, n the highest
stored plus one. ``serve --workers N`` runs N web processes on one remote store, and two of them
could read the same highest at once and both write version n (the second merging into the
first). So the number is taken inside the write (:func:`write_versions`: a conditional insert,
read back, written again with the next number on a conflict), and every web process of a
machine takes the store's writing turn in turn (:func:`writing`)."""

from __future__ import annotations

import fcntl
import hashlib
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from sherloc_kg.access import Caller
from sherloc_kg.inference import Inference
from sherloc_kg.iris import Iris
from sherloc_kg.loaders.review import RESTRICTED
from sherloc_kg.namespaces import DCTERMS
from sherloc_kg.queries import internal
from sherloc_kg import versions
from sherloc_kg.store import RecordWrite

from . import review
from .context import Context

#: One submission or publication at a time in this process, and (a file lock) in every web process
#: of this machine on the same store (:func:`writing`); the version number is moreover taken
#: inside the write (:func:`write_versions`).
_WRITING = threading.Lock()


@contextmanager
def writing(ctx: Context) -> Iterator[None]:
    """Hold the writing turn of this store on this machine: the process's lock, then an exclusive
    ``flock`` on a file named for the store in the temporary folder, which every web process of
    ``serve --workers N`` takes too. Measured: without it, 32 submissions of one answer (8 at once)
    through 2 processes on ``oxigraph serve`` let two conditional writes of one version pass
    together (Oxigraph does not serialise update transactions), with it none did."""
    name = hashlib.sha256(ctx.settings.store.encode("utf-8")).hexdigest()[:16]
    with _WRITING, open(Path(tempfile.gettempdir()) / f"sherloc-review-{name}.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


#: How many times a submission writes an answer again whose version number another submission
#: took first (through another web process) before giving up with a 503.
VERSION_ATTEMPTS = 10


def write_versions(ctx: Context, who: Caller, records: list, when: Literal,
                    numbered: dict[URIRef, tuple[int, URIRef, str]]) -> list:
    """Write ``records`` (validated review answers), each with a new version, in one transaction;
    return those whose version number another submission took first, to be written again.

    The number is the highest stored plus one, read just before; two web processes (``serve
    --workers N``) can read the same highest at once, so the version is written by a conditional
    update inside the same transaction: only if no version holds that number yet. The version's
    ``prov:generatedAtTime`` is this write's instant to the microsecond, so reading it back tells
    whether the version is this write's (written) or another's (lost: the caller writes the answer
    again with the next number; the answer's state and pointer are rewritten then). Oxigraph does
    not serialise update transactions, so two writes can pass the condition together and merge
    into one version with two instants: the earliest then puts its own version back whole and
    keeps the number, the other takes the next (unless the other's write lands after the earliest
    has checked: then the merge stays). On one machine the file lock (:func:`writing`) keeps two
    writes from meeting at all."""
    iris = ctx.iris
    stamp = Literal(datetime.now(timezone.utc).isoformat(timespec="microseconds"), datatype=XSD.dateTime)
    writes: list[RecordWrite] = []
    claims: list[str] = []
    inserted: list[RecordWrite] = []
    mine: dict[URIRef, URIRef] = {}
    claimed: dict[URIRef, tuple[URIRef, str, list[tuple]]] = {}
    for record in records:
        answer = record.iri
        existing = review._existing(ctx.store, iris, answer)
        number = existing["highest"] + 1
        version = Iris.part(answer, "version", number)
        previous = Iris.part(answer, "version", number - 1) if number > 1 else None
        # The loader put the answer in its State's graph, review-restricted/{ISO3}.
        name = next(n for n in record.triples if n.startswith(RESTRICTED + "/"))
        home = str(iris.graph(name))
        state = record.triples[name]
        # The answer's state to its State's graph, out of every other (review.restricted_writes).
        writes += review.restricted_writes(ctx.store, iris, answer, existing["graphs"], name, version,
                                           state + [(answer, DCTERMS.modified, when)] + review.agent_triples(iris, who))
        stated = review._version_triples(state, answer, version, number, previous, who, iris, stamp)
        inserted.append(RecordWrite(home, [], stated))  # by the conditional insert below: for the version log
        claimed[answer] = (version, home, stated)
        # An update takes no bindings: the graph and the version are written into it as IRIs, the
        # version's triples fill its VALUES block (sparql/internal/review-claim-version.rq).
        claims.append(internal("review-claim-version").update_text(
            {"graph": URIRef(home), "version": version}, {("s", "p", "o"): stated}))
        numbered[answer] = (number, version, name)
        mine[answer] = version
    run = Inference(ctx.settings, iris).for_write(ctx.store, writes)
    # with the change feed's versions of the answers' members, in the same transaction (sherloc_kg/versions.py)
    versions.write(ctx.store, iris, writes, before=run.before, then=[*claims, *run.then], inserted=inserted)
    lost = []
    for record in records:
        rows = review._rows(ctx.store, iris, "review-version-instants", review.ALL, version=str(mine[record.iri]))
        instants = {r["t"].toPython() for r in rows}
        if instants == {stamp.toPython()}:
            continue
        if stamp.toPython() == min(instants):
            # Two writes passed the condition together (web processes on other machines: the file
            # lock is per machine): the earliest keeps the number and puts its own version back
            # whole; the others (their instant is later) take the next number.
            version, home, stated = claimed[record.iri]
            ctx.store.update(internal("review-restore-version").update_text(
                {"graph": URIRef(home), "version": version}, {("s", "p", "o"): stated}))
            continue
        lost.append(record)
    return lost
