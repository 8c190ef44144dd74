"""Configuration: one table of settings, read once from the environment or the CLI.

Settings are a small frozen value object passed to whatever needs them (the store factory, the
pipeline, the API); nothing reads the environment at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path

DEFAULT_BASE = "https://w3id.org/sherloc/"

#: The checkout's root (benchmarks and tests read the repository from here).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def bundled_home() -> Path:
    """The folder holding the ontology/, shapes/, sparql/ and data/ this package came with.

    A wheel ships them inside the package (``sherloc_kg/ontology/`` ..., mapped in pyproject.toml's
    ``[tool.setuptools.package-dir]``), so an installed ``sherloc-kg`` finds them wherever it runs;
    a checkout (an editable install) keeps them at the repository root, beside ``sherloc_kg/``.
    """
    package = Path(str(files(__package__ or "sherloc_kg")))
    return package if (package / "ontology" / "sherloc.ttl").is_file() else PROJECT_ROOT


#: Where ontology/, shapes/, sparql/ and data/ are read from unless SHERLOC_HOME says otherwise.
BUNDLED_HOME = bundled_home()

#: name -> (environment variable, default, help). The README's settings table mirrors this one
#: and a test keeps them in step.
SETTINGS: dict[str, tuple[str, str, str]] = {
    "store": (
        "SHERLOC_STORE",
        "var/store",
        "Where the graph lives: a directory (embedded on-disk Oxigraph), `memory`, or an "
        "http(s) SPARQL endpoint URL (remote backend).",
    ),
    "store_update": (
        "SHERLOC_STORE_UPDATE",
        "",
        "Remote store only: the SPARQL 1.1 Update endpoint URL, where it differs from the server's "
        "usual one (Oxigraph server: `/update` beside `/query`; Virtuoso: `/sparql-auth` with "
        "credentials, else `/sparql`).",
    ),
    "store_gsp": (
        "SHERLOC_STORE_GSP",
        "",
        "Remote store only: the Graph Store HTTP Protocol URL, where it differs from the server's "
        "usual one (Oxigraph server: `/store`; Virtuoso: `/sparql-graph-crud-auth` with credentials).",
    ),
    "store_user": (
        "SHERLOC_STORE_USER",
        "",
        "Remote store only: the user the backend authenticates as (HTTP digest for Virtuoso, basic "
        "otherwise).",
    ),
    "store_password": (
        "SHERLOC_STORE_PASSWORD",
        "",
        "Remote store only: that user's password. Environment only: there is no command-line option.",
    ),
    "store_timeout": (
        "SHERLOC_STORE_TIMEOUT",
        "3600",
        "Remote store only: seconds to wait for the server's answer to anything but a `/sparql`-type "
        "query: writes, restores, dumps, and the queries of the explorer's pages and of loads (which "
        "the embedded store runs without a limit). Past it the request fails naming the server, a "
        "query with a 503 (a write may still land: load again). `0` for no limit.",
    ),
    "local_copy_limit": (
        "SHERLOC_LOCAL_COPY_LIMIT",
        "2000000",
        "Remote store only: most quads copied into the web process to answer a named query its server "
        "is not trusted with (the gap matrix and the implementation profile on Virtuoso), with the "
        "embedded engine over the graphs the caller may read; over it such a query is refused (501) "
        "saying so.",
    ),
    "base": (
        "SHERLOC_BASE",
        DEFAULT_BASE,
        "Base of every minted IRI; the server answers for IRIs under it at the same path.",
    ),
    "tokens": (
        "SHERLOC_TOKENS",
        "var/tokens.json",
        "File holding the API tokens (argon2 hashes only, never the tokens), managed with "
        "`sherloc-kg tokens`.",
    ),
    "home": (
        "SHERLOC_HOME",
        str(BUNDLED_HOME),
        "Folder holding ontology/, shapes/, sparql/ and data/ (to work on a copy of them; by default "
        "those the package was installed with).",
    ),
    "query_max_length": (
        "SHERLOC_QUERY_MAX_LENGTH",
        "65536",
        "Longest query text `/sparql` runs, in bytes (UTF-8); a longer one is a 413. Admin tokens are "
        "exempt.",
    ),
    "query_max_rows": (
        "SHERLOC_QUERY_MAX_ROWS",
        "100000",
        "Most rows a SELECT, or triples a CONSTRUCT/DESCRIBE, may answer on `/sparql`; a result "
        "over it is refused with a 422 naming the limit, never cut short. Admin tokens are exempt.",
    ),
    "query_max_bytes": (
        "SHERLOC_QUERY_MAX_BYTES",
        "33554432",
        "Largest serialized `/sparql` answer, in bytes; a larger one is refused with a 422 naming the "
        "limit. Admin tokens are exempt.",
    ),
    "query_timeout": (
        "SHERLOC_QUERY_TIMEOUT",
        "30",
        "Seconds a `/sparql` query may run (every role). On the on-disk store the worker process "
        "running it is killed and replaced, and the answer is a 503 with Retry-After; `0` for none. "
        "On a remote store, also the longest wait for the server's answer to a caller's query "
        "(`/sparql`, named queries, Linked Data documents, `sherloc-kg query`): a 503 likewise.",
    ),
    "query_workers": (
        "SHERLOC_QUERY_WORKERS",
        "2",
        "On-disk store only: worker processes that run `/sparql` queries (so that a timeout can "
        "kill one, and no query text is parsed in the server process); at least one runs (`0` means "
        "one). A client holds at most half of them (at least one) at once; its other queries wait "
        "for its own share, so that another client always finds a worker.",
    ),
    "query_worker_memory": (
        "SHERLOC_QUERY_WORKER_MEMORY",
        "4096",
        "On-disk store only: the address space (RLIMIT_AS) of each `/sparql` worker process, in MiB; "
        "a query that needs more ends its worker (a fresh one takes its place) and is answered 503 "
        "naming this limit. `0` for none.",
    ),
    "query_concurrency": (
        "SHERLOC_QUERY_CONCURRENCY",
        "4",
        "Queries one client (its token id, else its address) may run on `/sparql` at once; one "
        "more is a 429 with Retry-After. Admin tokens are exempt.",
    ),
    "allowed_hosts": (
        "SHERLOC_ALLOWED_HOSTS",
        "",
        "Host names the server answers for, comma-separated (`*.example.org` allowed); a request for "
        "another `Host` is a 400. Empty: any host (the pages and the service description name the host "
        "asked for, with `Vary: Host`).",
    ),
    "trusted_proxies": (
        "SHERLOC_TRUSTED_PROXIES",
        "",
        "Addresses of reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` `sherloc-kg serve` "
        "believes, comma-separated (e.g. `127.0.0.1` when nginx runs on the same host). Empty: none, "
        "whoever the peer is.",
    ),
    "operator": (
        "SHERLOC_OPERATOR",
        "",
        "Who the loads run from the command line (`init`, `load`) are attributed to in the provenance "
        "graph (`prov:wasAssociatedWith`, public): the operator's name, e.g. an organisation. Empty: "
        "\"the operator of this store\". Loads through the API are attributed to the token's holder.",
    ),
    "shacl_engine": (
        "SHERLOC_SHACL_ENGINE",
        "turbo",
        "The SHACL engine of the gate every load passes: `turbo` (pyshacl-turbo, a Rust engine; "
        "loads 1.6-5.6x faster) or `pyshacl` (the reference). Both give the same results on our "
        "shapes (tests/test_shacl_engines.py).",
    ),
}

#: The values SHERLOC_SHACL_ENGINE may take.
SHACL_ENGINES = ("pyshacl", "turbo")

#: The settings that hold whole numbers (the query limits), read with int().
INTEGER_SETTINGS = ("query_max_length", "query_max_rows", "query_max_bytes", "query_timeout",
                    "query_workers", "query_worker_memory", "query_concurrency", "store_timeout",
                    "local_copy_limit")


def _whole_number(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        from .errors import UsageError

        raise UsageError(f"{SETTINGS[name][0]}={value!r}: give a whole number (0 or more)")
    return number


def _engine(value: str) -> str:
    if value not in SHACL_ENGINES:
        from .errors import UsageError

        raise UsageError(f"{SETTINGS['shacl_engine'][0]}={value!r}: give one of {', '.join(SHACL_ENGINES)}")
    return value


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :meth:`from_env`, override with :meth:`with_`."""

    store: str = SETTINGS["store"][1]
    base: str = DEFAULT_BASE
    home: Path = field(default=BUNDLED_HOME)
    tokens: Path = field(default=Path(SETTINGS["tokens"][1]))
    store_update: str = ""
    store_gsp: str = ""
    store_user: str = ""
    store_password: str = field(default="", repr=False)
    query_max_length: int = int(SETTINGS["query_max_length"][1])
    query_max_rows: int = int(SETTINGS["query_max_rows"][1])
    query_max_bytes: int = int(SETTINGS["query_max_bytes"][1])
    query_timeout: int = int(SETTINGS["query_timeout"][1])
    query_workers: int = int(SETTINGS["query_workers"][1])
    query_worker_memory: int = int(SETTINGS["query_worker_memory"][1])
    query_concurrency: int = int(SETTINGS["query_concurrency"][1])
    shacl_engine: str = SETTINGS["shacl_engine"][1]
    allowed_hosts: str = ""
    trusted_proxies: str = ""
    operator: str = ""
    store_timeout: int = int(SETTINGS["store_timeout"][1])
    local_copy_limit: int = int(SETTINGS["local_copy_limit"][1])

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: str | None) -> "Settings":
        env = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for name, (var, default, _help) in SETTINGS.items():
            given = overrides.get(name)
            values[name] = given if given is not None else env.get(var, default)
        base = values["base"] if values["base"].endswith(("/", "#")) else values["base"] + "/"
        return cls(store=values["store"], base=base, home=Path(values["home"]), tokens=Path(values["tokens"]),
                   store_update=values["store_update"], store_gsp=values["store_gsp"],
                   store_user=values["store_user"], store_password=values["store_password"],
                   shacl_engine=_engine(values["shacl_engine"]),
                   allowed_hosts=values["allowed_hosts"], trusted_proxies=values["trusted_proxies"],
                   operator=values["operator"],
                   **{name: _whole_number(name, values[name]) for name in INTEGER_SETTINGS})

    def with_(self, **changes: object) -> "Settings":
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def ontology_dir(self) -> Path:
        return self.home / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.home / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.home / "sparql"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"
