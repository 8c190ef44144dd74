"""The inference rules of ``sparql/rules/`` and how a write runs them.

Every rule is a SPARQL Update that reads asserted graphs and inserts into the ``inferred`` graph
facts about one *focus* node: the subject of every triple it inserts (a case, a national
provision). A write runs the rules in its own transaction (``Store.write``'s ``before`` and
``then``), in one of two ways:

- **whole**: the inferred graph is emptied and every rule runs over the whole store. Its cost
  grows with the store (4.5 s at 1M triples, twice that with the public mirror), so it is kept for
  the writes that need it: the first write after the rules changed (see *fingerprint*), a write
  that replaces whole graphs (the reference graphs), one that touches a reference graph the rules
  walk (``instruments``: the provision tree), the first write after a raw write (``forget``),
  and every write if a rule does not say its focus (no ``# scope`` line).
- **scoped** (every other load): the nodes the write may change the inferences of are marked in a
  scratch graph, their inferred triples deleted and the rules run for them alone, so a load costs
  time in proportion to what it writes, not to the store. Marked: each record the write replaces
  and every resource below it that it links to (before the write: what is deleted), the subject
  of every triple it inserts, and then every node that links to a marked one by a property a rule
  follows (one step: a case applying a national provision of a law being reloaded).

This is exact for rules of the form the runner supports, which each rule file states: what a rule
infers about its focus node follows from the focus node's own triples, from those of the nodes it
links to by the properties the rule names in lines ``# follows <property>``, and from the reference
graphs. A rule marks where the focus is bound with a line ``# scope ?var``: a comment when the rule
runs whole, the scratch graph's pattern when scoped.
``tests/test_inference.py`` checks that scoped runs give the same inferred graph as whole ones.

**Editorial claims** (graph ``editorial``, loaders/editorial.py) state triples about resources of
other records (``?national eli:ensures_implementation_of ?provision``, ``?case
sherloc:decidedByBody ?court``): each claim record holds its statements as parts
(``sherloc:claimStatement``, with ``sherloc:claimSubject``/``claimProperty``/``claimObject``) and
the triples themselves. Replacing a record deletes only its own triples and parts, so a write of
claims also runs, before its records, the deletion of the triples its replaced claims stated, and,
after them, re-asserts the triples every claim of the graph states (one claim changed, another
still stating the same triple keeps it). The subjects of the statements deleted are marked like
the records (their inferences change).

The *fingerprint* (sha256 of the rules as run) is kept in the provenance graph as
``<graph/inferred> owl:versionInfo "rules sha256:..."`` by every whole run: a store whose inferred
graph was computed by other rules (an older release, a restored dump) gets a whole run at its next
load, and a rule that is removed leaves nothing behind after it.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import Literal, URIRef

from .config import Settings
from .iris import Iris
from .queries import internal
from .store import Dataset, RecordWrite, Store
from .store.contract import STAGING_PREFIX

#: Graphs whose change may alter any inference (the rules walk them for every focus node): the
#: provision tree, and the crime-type vocabulary's mapping to the criminalization provisions.
REFERENCE_GRAPHS = ("instruments", "vocabularies")
#: The graph of editorial claims, whose statements are kept in step with their claims.
CLAIMS_GRAPH = "editorial"
#: The ``# scope ?var`` line of a rule, and its ``# follows <property>`` lines.
_SCOPE_LINE = re.compile(r"^[ \t]*#[ \t]*scope[ \t]+\?(\w+)[ \t]*$", re.MULTILINE)
_FOLLOWS_LINE = re.compile(r"^[ \t]*#[ \t]*follows[ \t]+<([^<>\s]+)>[ \t]*$", re.MULTILINE)
#: Marks (and claims) per update (a server's SPARQL compiler may refuse one much larger; Virtuoso
#: reads at most 4,094 terms in one VALUES block).
_MARK_CHUNK = 2_000


@dataclass(frozen=True)
class RulesRun:
    """What a write runs around its record operations: ``before`` them and ``then`` after."""

    before: list[str]
    then: list[str]
    whole: bool


class Inference:
    """The rules of ``settings.queries_dir / "rules"``, with graph IRIs under ``iris.base``. The
    bookkeeping around them (marks, fingerprint, claims) is ``sparql/internal/inference-*.rq``."""

    def __init__(self, settings: Settings, iris: Iris) -> None:
        self.iris = iris
        self.inferred = URIRef(iris.graph("inferred"))
        self.provenance = URIRef(iris.graph("provenance"))
        self.rules = []
        for path in sorted((settings.queries_dir / "rules").glob("*.ru")):
            text = path.read_text(encoding="utf-8")
            # Graph IRIs are written under the default base.
            self.rules.append(text.replace(Iris().base + "graph/", iris.base + "graph/"))
        #: Whether every rule says its focus (``# scope ?var``): else every write runs them whole.
        self.scopable = all(_SCOPE_LINE.search(rule) for rule in self.rules)
        self.follows = sorted({p for rule in self.rules for p in _FOLLOWS_LINE.findall(rule)})
        digest = hashlib.sha256("\n\f\n".join(self.rules).encode("utf-8")).hexdigest()
        self.fingerprint = f"rules sha256:{digest}"
        self._versioned = {"provenance": self.provenance, "inferred": self.inferred}

    # -- whole -------------------------------------------------------------------------------
    def whole(self) -> list[str]:
        """Empty the inferred graph, run every rule over the store, record the fingerprint."""
        return [internal("inference-drop").update_text({"graph": self.inferred}), *self.rules, self.invalidate(),
                internal("inference-rules-record").update_text({**self._versioned,
                                                                "fingerprint": Literal(self.fingerprint)})]

    def invalidate(self) -> str:
        """The update that deletes every recorded fingerprint, as a pattern: run by a whole run
        before it records its own (a raw write uses :meth:`forget`, the same effect by name)."""
        return internal("inference-rules-forget").update_text(self._versioned)

    def forget(self, store: Store) -> None:
        """Make the next write run the rules whole, before a raw write to the asserted graphs (a
        Graph Store request, a SPARQL Update), which runs no rule: what :meth:`invalidate` does,
        each recorded fingerprint deleted by name (``DELETE DATA``, which the embedded store
        repeats on its public mirror). The pattern of :meth:`invalidate` is an update that reads,
        after which the embedded store rebuilds its mirror from the whole store: 2.7 s of each
        Graph Store ``PUT`` at 178k quads (benchmarks/results/small_writes.md). Every fingerprint
        goes, those of other rules too: while none is recorded, answers carry no Last-Modified
        (api/caching.py). Nothing recorded, nothing is written."""
        named = internal("inference-rules-recorded")
        recorded = store.select(named.text, bindings=self._versioned, dataset=Dataset(default=None)).rows
        unrecord = internal("inference-rules-unrecord")
        deletions = [unrecord.update_text({**self._versioned, "fingerprint": row["fingerprint"]}) for row in recorded]
        if deletions:
            store.update(" ;\n".join(deletions))

    def current(self, store: Store) -> bool:
        """Whether the store's inferred graph was computed by these rules."""
        return store.ask(internal("inference-rules-current").text,
                         bindings={**self._versioned, "fingerprint": Literal(self.fingerprint)},
                         dataset=Dataset(default=None))

    # -- for a write -------------------------------------------------------------------------
    def write(self, store: Store, writes: Sequence[RecordWrite]) -> RulesRun:
        """``store.write(writes)`` with the rules run for it (scoped or whole); says which."""
        run = self.for_write(store, writes)
        store.write(writes, before=run.before, then=run.then)
        return run

    def for_write(self, store: Store, writes: Sequence[RecordWrite], replace_graphs: Iterable[str] = ()) -> RulesRun:
        """How ``writes`` run the rules: scoped where that is exact, else whole. (Whether the store's
        inferred graph is current is asked before the write: a raw write racing a load may leave
        inferences of its own records stale until their next load.)"""
        reference = {str(self.iris.graph(g)) for g in REFERENCE_GRAPHS}
        claims = [w for w in writes if w.graph == str(self.iris.graph(CLAIMS_GRAPH)) and (w.records or w.triples)]
        retract, reassert = self._claims(claims[0]) if claims and not list(replace_graphs) else ([], [])
        if (not self.scopable or list(replace_graphs) or reference & {w.graph for w in writes}
                or not self.current(store)):
            return RulesRun(retract, [*reassert, *self.whole()], True)
        scope = {"scope": URIRef(f"{STAGING_PREFIX}{uuid.uuid4().hex}:inference-scope")}
        records = sorted({r for w in writes for r in w.records})
        subjects = sorted({str(s) for w in writes for s, _p, _o in w.triples if isinstance(s, URIRef)}
                          - set(records))
        parts = internal("inference-mark-parts").update_text(scope)
        # the subjects of the statements of the claims being replaced (their inferences may change)
        stated = internal("inference-mark-stated").update_text(scope)
        before = [*_marks(scope, records), parts, *([stated] if claims else []), *_marks(scope, subjects), *retract]
        # one step back along the properties the rules follow: what links to a marked node
        linking = internal("inference-mark-linking")
        then = [linking.update_text({**scope, "link": URIRef(link)}) for link in self.follows]
        then += [
            *reassert,
            internal("inference-unmark-inferred").update_text({**scope, "inferred": self.inferred}),
            *(scoped(rule, scope["scope"]) for rule in self.rules),
            internal("inference-drop").update_text({"graph": scope["scope"]}),
        ]
        return RulesRun(before if records or subjects else [], then if records or subjects else [], False)

    def _claims(self, write: RecordWrite) -> tuple[list[str], list[str]]:
        """For a write of editorial claims: the updates that retract the triples stated by the claims
        it replaces (run before its records) and re-assert those every claim states (after)."""
        graph = {"graph": URIRef(write.graph)}
        claims = [URIRef(r) for r in write.records]
        retract = [internal("inference-claims-retract").update_text(graph, {"claim": claims[i:i + _MARK_CHUNK]})
                   for i in range(0, len(claims), _MARK_CHUNK)]
        return retract, [internal("inference-claims-reassert").update_text(graph)]


def scoped(rule: str, scope: str) -> str:
    """``rule`` with each ``# scope ?var`` line made the scratch graph's pattern for ``?var``: the
    WHERE group of ``sparql/internal/inference-scope.rq``, its ``?focus`` renamed ``?var``."""
    if not _SCOPE_LINE.search(rule):
        raise ValueError("an inference rule has no '# scope ?var' line: it cannot run scoped")
    scope_of = internal("inference-scope")
    return _SCOPE_LINE.sub(lambda m: scope_of.pattern({"scope": URIRef(scope)}, written={"focus": "?" + m.group(1)}),
                           rule)


def _marks(scope: dict[str, URIRef], iris: Sequence[str]) -> list[str]:
    mark = internal("inference-mark")
    return [mark.update_text(scope, {"s": [URIRef(i) for i in iris[start:start + _MARK_CHUNK]]})
            for start in range(0, len(iris), _MARK_CHUNK)]
