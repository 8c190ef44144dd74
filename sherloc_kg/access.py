"""Who may see and do what: roles, the callers that hold them, and the tokens that prove it.

A caller is ``public`` unless it sends ``Authorization: Bearer TOKEN`` with a token made by
``sherloc-kg tokens create``. Tokens are random; the file at ``SHERLOC_TOKENS`` keeps only their
argon2 hashes, so a stolen token file gives no token away. A token reads ``skg_{id}_{secret}``:
the id finds the one hash to check, so verifying costs one argon2 check, not one per token.

What each role sees is decided here and nowhere else: which graphs are restricted
(:data:`RESTRICTED_GRAPHS`, :func:`is_restricted`), which are public (:func:`public_graphs`), which
the store's public mirror leaves out (:func:`mirror_private_graphs`), and what each caller reads
(:meth:`Caller.dataset`, :meth:`Caller.may_see`, :meth:`Caller.review_dataset`). Every route of the
server, the CLI and the store ask here instead of choosing graphs themselves; iris.py only names the
graphs. tests/test_access_one_place.py holds the rest of the code to it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass, field, replace
from collections.abc import Collection
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import Forbidden, SherlocError, Unauthorized, UsageError
from .iris import GRAPHS, STATE_GRAPHS, Iris, is_iso3
from .store import Dataset

#: Restricted information, and the provenance of records that exist only there (that a record
#: exists, and the file it came from, is itself not public). A graph below a restricted graph
#: (the per-State graphs, iris.py's STATE_GRAPHS: ``review-restricted/XAA``) is restricted too: it
#: is never in a public list, a public dump or the public mirror.
RESTRICTED_GRAPHS = frozenset({"authorities-restricted", "review-restricted", "provenance-restricted"})
#: The graphs every caller reads, the public included.
PUBLIC_GRAPHS = tuple(g for g in GRAPHS if g not in RESTRICTED_GRAPHS)


def is_restricted(name: str) -> bool:
    """Whether the graph named ``name`` (``review-restricted/XAA`` included) is restricted."""
    return name in RESTRICTED_GRAPHS or name.split("/", 1)[0] in RESTRICTED_GRAPHS


def is_restricted_graph(iris: Iris, iri: str) -> bool:
    """Whether the graph ``iri`` is restricted: a restricted graph, or a graph below one
    (``{base}graph/review-restricted/XAA``)."""
    name = iris.graph_name(iri)
    return name is not None and is_restricted(name)


def public_graphs(iris: Iris) -> list[str]:
    """The IRIs of the public graphs (PUBLIC_GRAPHS): what the public's queries run over."""
    return [str(iris.graph(name)) for name in PUBLIC_GRAPHS]


def restricted_graphs(iris: Iris) -> list[str]:
    """The IRIs of the restricted graphs (RESTRICTED_GRAPHS), not those below them."""
    return [str(iris.graph(name)) for name in GRAPHS if name in RESTRICTED_GRAPHS]


def mirror_private_graphs(iris: Iris) -> frozenset[str]:
    """The graphs the embedded store's public mirror leaves out, with every graph below one
    (sherloc_kg/store/embedded.py): the restricted graphs, and the version logs of the change feed
    (``{base}graph/versions/...``, sherloc_kg/versions.py), which no query reads: the feed serves
    them, to each caller those of the graphs it may read (:meth:`Caller.feed_dataset`). The
    public's queries run on the mirror."""
    return frozenset(restricted_graphs(iris)) | {str(iris.version_logs_root())}


#: The dataset of the server's own reads inside a write it makes for a caller (api/review.py:
#: where a review answer is now, in any State's graphs, and the version numbers it holds, so that
#: an answer moved between States is cleaned out of the old one and no version number is taken
#: twice): every graph of the store. What such a read finds steers the write and is never answered
#: to the caller (a refusal names no State); a caller's own queries run over
#: :meth:`Caller.dataset` (or :meth:`Caller.review_dataset`), never this.
WRITE_READS = Dataset(default=None)


class GraphLister(Protocol):
    def graphs(self) -> list[str]: ...


class Role(str, Enum):
    PUBLIC = "public"
    OFFICIAL = "official"
    SUBMITTER = "submitter"
    EDITOR = "editor"
    ADMIN = "admin"




@dataclass(frozen=True)
class Caller:
    """Who is asking. What each role reads (``visible_graphs``):

    - ``public``, ``submitter``, ``editor``: the public graphs (a submitter also reads its own
      State's answers through ``/api/review/submissions``, api/review.py, over
      ``review_dataset``: the public graphs and its own State's STATE_GRAPHS);
    - ``official`` of a State (a token made with ``--country XAA``): the public graphs, the CNA
      contact details (``authorities-restricted``) and its own State's restricted graphs only
      (STATE_GRAPHS: ``review-restricted/XAA``, its unpublished review answers with the names of
      their submitters, and ``provenance-restricted/XAA``, their provenance); not another State's,
      nor the shared ``provenance-restricted`` (load activities spanning several States) and the
      ``review-restricted`` of stores filled before the split by State;
    - ``official`` of no State (no ``--country``): every SHERLOC graph, every State's restricted
      review graph included (``state_graphs``);
    - ``admin``: every graph of the store.
    """

    role: Role = Role.PUBLIC
    country: str | None = None
    name: str | None = None
    token_id: str | None = None
    #: What public records may call the token's holder (a review version's ``prov:wasAttributedTo``
    #: agent): derived from the token's secret hash, so it names the same token every time and
    #: gives away nothing of the token, not even its id (which would let anyone aim checks at it).
    agent: str | None = None
    #: For an official of no State: the per-State restricted graphs of the store (``with_store``),
    #: which its dataset names besides the fixed SHERLOC graphs.
    state_graphs: tuple[str, ...] = ()

    @property
    def scoped(self) -> bool:
        """An official acting for one State, who reads that State's restricted graphs only."""
        return self.role is Role.OFFICIAL and self.country is not None

    def with_store(self, store: "GraphLister", iris: Iris) -> "Caller":
        """This caller with what its dataset needs to know of ``store``: for an official of no
        State, the per-State restricted graphs present now. The server calls it once per request
        (api/context.py); a graph made later is seen from the next request on."""
        if self.role is Role.OFFICIAL and self.country is None:
            return replace(self, state_graphs=tuple(iris.state_graphs(store.graphs())))
        return self

    def visible_graphs(self, iris: Iris) -> list[str] | None:
        """The graphs this caller may read; ``None`` means every graph in the store."""
        if self.role is Role.ADMIN:
            return None
        if self.scoped:
            return public_graphs(iris) + [str(iris.graph("authorities-restricted"))] + self._own_state_graphs(iris)
        if self.role is Role.OFFICIAL:
            return iris.all_graphs() + [g for g in self.state_graphs if is_restricted_graph(iris, g)]
        return public_graphs(iris)

    def _own_state_graphs(self, iris: Iris) -> list[str]:
        """The caller's own State's graphs of every family kept per State (STATE_GRAPHS)."""
        return [str(iris.state_graph(family, self.country or "")) for family in sorted(STATE_GRAPHS)]

    def dataset(self, iris: Iris) -> Dataset:
        """The dataset every query of this caller runs over, whatever the query asks for."""
        graphs = self.visible_graphs(iris)
        return Dataset(default=graphs, named=graphs)

    def review_dataset(self, iris: Iris) -> Dataset:
        """The dataset this caller reads review answers over (api/review.py's listing and answer
        routes): its dataset, and for a submitter its own State's graphs kept per State
        (``review-restricted/XAA``, its unpublished answers and their versions, and
        ``provenance-restricted/XAA``, their current version), so a State reads back what it
        submitted, and no other State's."""
        if self.role is not Role.SUBMITTER or self.country is None:
            return self.dataset(iris)
        graphs = public_graphs(iris) + self._own_state_graphs(iris)
        return Dataset(default=graphs, named=graphs)

    def dataset_within(self, iris: Iris, default: list[str], named: list[str]) -> Dataset:
        """The dataset of a query that names its own graphs (FROM, FROM NAMED, or the protocol's
        ``default-graph-uri`` and ``named-graph-uri``): those graphs, less every one this caller
        may not read."""
        visible = self.visible_graphs(iris)
        if visible is not None:
            allowed = set(visible)
            default = [g for g in default if g in allowed]
            named = [g for g in named if g in allowed]
        return Dataset(default=default, named=named)

    def graphs_among(self, iris: Iris, present: list[str]) -> list[str]:
        """The graphs of ``present`` (a store's graphs) this caller may read: all of them for a
        caller who reads every graph, else its visible graphs that are present, in their order."""
        visible = self.visible_graphs(iris)
        if visible is None:
            return list(present)
        there = set(present)
        return [g for g in visible if g in there]

    def described_graphs(self, iris: Iris, store: GraphLister) -> list[str]:
        """The graphs this caller's dataset description (``/dataset``, api/dcat.py) lists as
        ``void:subset`` and counts: its visible graphs, or for a caller who reads every graph, every
        SHERLOC graph and every graph of ``store``; never the change feed's version logs
        (``{base}graph/versions/...``, which no query dataset includes: the feed is described as a
        distribution of its own)."""
        graphs = self.visible_graphs(iris)
        if graphs is None:
            graphs = sorted(set(iris.all_graphs()) | set(store.graphs()))
        return [g for g in graphs if iris.logged_graph(g) is None]

    def described_dataset(self, iris: Iris, store: GraphLister) -> Dataset:
        """The dataset of :meth:`described_graphs`: what the state (ETag, Last-Modified) of this
        caller's description is read over (api/dataset.py)."""
        graphs = self.described_graphs(iris, store)
        return Dataset(default=graphs, named=graphs)

    def feed_dataset(self, iris: Iris, present: list[str]) -> Dataset:
        """The dataset the change feed (api/change_feed.py) reads this caller's versions over: the
        version log (sherloc_kg/versions.py) of each graph of ``present`` (a store's graphs) that
        this caller may read, so that a version is seen by exactly those who see its record's
        graph, and no query of theirs ever reads a log (the logs are in no other dataset)."""
        visible = self.visible_graphs(iris)
        logs = [log for log in iris.version_logs(present)
                if visible is None or iris.logged_graph(log) in visible]
        return Dataset(default=logs, named=[])

    def may_see(self, graph: str, iris: Iris) -> bool:
        graphs = self.visible_graphs(iris)
        return graphs is None or graph in graphs

    def require(self, *roles: Role) -> None:
        """Refuse unless the caller holds one of ``roles``: 401 for the public, 403 otherwise."""
        if self.role in roles:
            return
        wanted = " or ".join(r.value for r in roles)
        if self.role is Role.PUBLIC:
            raise Unauthorized(f"this needs a token of role {wanted}: send Authorization: Bearer TOKEN")
        raise Forbidden(f"a {self.role.value} token may not do this; it needs role {wanted}")


PUBLIC = Caller()


@dataclass
class TokenEntry:
    id: str
    hash: str
    role: str
    country: str | None = None
    name: str | None = None
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    revoked: str | None = None


#: Argon2 verifications running at once in this process. Each costs a few tenths of a second of
#: CPU and 64 MiB (by design); unbounded, 32 clients sending forged tokens took 1.9 GB (issue 24).
#: A check waits for a turn at most CHECK_WAIT seconds, then is refused as busy (503).
CONCURRENT_CHECKS = 2
CHECK_WAIT = 30
_CHECKS = threading.BoundedSemaphore(CONCURRENT_CHECKS)


class ChecksBusy(SherlocError):
    """Every token-check turn stayed taken (forged tokens flooding in): 503, try again."""

    http_status = 503

    def callers(self) -> bool:
        return True  # designed: it says to try again, and names nothing of ours


class Tokens:
    """The token file: create, list, revoke, and check a presented token.

    A check takes the same time whether the token's id is known, unknown or revoked (an unknown id
    is verified against a hash of nothing, so timing tells no id apart), runs in a bounded number
    of turns (CONCURRENT_CHECKS), and a token once verified is remembered by its SHA-256 until the
    token file changes. Failures are rate-limited per address by the server (api/security.py)."""

    PREFIX = "skg_"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._hasher = PasswordHasher()
        self._lock = threading.Lock()
        # Checking a token costs one argon2 verification (about 0.4 s here, by design), so a token
        # once verified is remembered by its SHA-256 for as long as the token file is unchanged;
        # any change to the file (a revocation) forgets every verified token at once.
        self._verified: dict[bytes, Caller] = {}
        self._verified_stamp: tuple[int, int] | None = None
        self._decoy: str | None = None  # a hash no token matches, for unknown ids

    def _read(self) -> dict[str, TokenEntry]:
        if not self.path.exists():
            return {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return {key: TokenEntry(**value) for key, value in raw.items()}
        except (ValueError, TypeError) as error:
            raise UsageError(f"{self.path}: not a token file ({error})") from error

    def _write(self, entries: dict[str, TokenEntry]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as sink:
            json.dump({key: asdict(value) for key, value in entries.items()}, sink, indent=1)
        os.replace(temporary, self.path)

    def create(self, role: Role | str, *, country: str | None = None, name: str | None = None,
               states: Collection[str] | None = None, states_from: str = "") -> str:
        """Make a token and return it; only its hash is kept. With ``states`` (the ISO 3166-1
        alpha-3 codes of the States known, from ``states_from``), a ``country`` that is none of
        them is refused: a token for a State that does not exist would match no record."""
        role = Role(role)
        if role is Role.PUBLIC:
            raise UsageError("public needs no token")
        if role is Role.SUBMITTER and not country:
            raise UsageError("a submitter token is for one State: give --country ISO3")
        if country is not None and not is_iso3(country):
            raise UsageError(f"country '{country}' is not an ISO 3166-1 alpha-3 code (three capital letters)")
        if country is not None and states is not None and country not in states:
            raise UsageError(f"country '{country}' names no State known to {states_from or 'this store'}: give the "
                             "ISO 3166-1 alpha-3 code of a State (the fictional XAA, XAB, XAC after `init "
                             "--with-examples`)")
        with self._lock:
            entries = self._read()
            token_id = secrets.token_hex(6)
            while token_id in entries:
                token_id = secrets.token_hex(6)
            token = f"{self.PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
            entries[token_id] = TokenEntry(id=token_id, hash=self._hasher.hash(token), role=role.value,
                                           country=country, name=name)
            self._write(entries)
        return token

    def list(self) -> list[TokenEntry]:
        return sorted(self._read().values(), key=lambda entry: entry.created)

    def revoke(self, token_id: str) -> None:
        with self._lock:
            entries = self._read()
            if token_id not in entries:
                raise UsageError(f"no token with id '{token_id}'")
            entries[token_id].revoked = datetime.now(timezone.utc).isoformat(timespec="seconds")
            self._write(entries)

    def _stamp(self) -> tuple[int, int] | None:
        try:
            status = self.path.stat()
        except FileNotFoundError:
            return None
        return status.st_mtime_ns, status.st_size

    def caller(self, token: str) -> Caller:
        """The caller a presented token stands for; Unauthorized if it is not a live token."""
        if not token.startswith(self.PREFIX) or token.count("_") < 2:
            raise Unauthorized("the bearer token is not a SHERLOC-KG token")
        digest = hashlib.sha256(token.encode("utf-8")).digest()
        stamp = self._stamp()
        with self._lock:
            if stamp != self._verified_stamp:
                self._verified, self._verified_stamp = {}, stamp
            known = self._verified.get(digest)
        if known is not None:
            return known
        found = self._verify(token)
        with self._lock:
            if self._verified_stamp == stamp:
                self._verified[digest] = found
        return found

    def _verify(self, token: str) -> Caller:
        token_id = token[len(self.PREFIX):].split("_", 1)[0]
        entry = self._read().get(token_id)
        live = entry is not None and not entry.revoked
        if self._decoy is None:
            self._decoy = self._hasher.hash(secrets.token_urlsafe(32))
        if not _CHECKS.acquire(timeout=CHECK_WAIT):
            raise ChecksBusy("too many token checks are running: try again shortly")
        try:
            self._hasher.verify(entry.hash if live and entry is not None else self._decoy, token)
        except (VerificationError, InvalidHashError) as error:
            raise Unauthorized("the bearer token is unknown or revoked") from error
        finally:
            _CHECKS.release()
        if not live or entry is None:
            raise Unauthorized("the bearer token is unknown or revoked")
        agent = hashlib.sha256(b"sherloc-agent\0" + entry.hash.encode("utf-8")).hexdigest()[:20]
        return Caller(role=Role(entry.role), country=entry.country, name=entry.name, token_id=entry.id, agent=agent)

    def from_header(self, authorization: str | None) -> Caller:
        """The caller behind an ``Authorization`` header; the public when there is none."""
        if not authorization:
            return PUBLIC
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("send credentials as Authorization: Bearer TOKEN")
        return self.caller(token.strip())
