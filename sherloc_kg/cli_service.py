"""The ``sherloc-kg`` commands of the web service: ``serve``, and ``tokens`` (create, list, revoke)
for the API tokens it accepts."""

from __future__ import annotations

import os
from pathlib import Path

import click
from rich.table import Table

from .access import Role, Tokens
from .cli_context import CommandContext, err, out
from .errors import SherlocError, UsageError
from .queries import internal

@click.group()
def tokens() -> None:
    """API tokens: create, list, revoke. Only their hashes are kept (SHERLOC_TOKENS)."""


@tokens.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role if r is not Role.PUBLIC]))
@click.option("--country", default=None, metavar="ISO3", help="The State a submitter or official acts for.")
@click.option("--name", default=None, help="Who holds the token (shown by tokens list).")
@click.pass_obj
def tokens_create(ctx: CommandContext, role: str, country: str | None, name: str | None) -> None:
    """Make a token; it is printed once, alone on the last line, and never stored."""
    states, source = _known_states(ctx) if country is not None else (None, "")
    token = Tokens(ctx.settings.tokens).create(role, country=country, name=name, states=states, states_from=source)
    err.print(f"created a {role} token; keep it now, it cannot be shown again")
    click.echo(token)


def _known_states(ctx: CommandContext) -> tuple[set[str], str]:
    """The codes of the States a token may be for, and where they come from: the store's
    countries graph when the store can be read and holds one (the fictional States of the
    examples or of ``generate --register`` included), else ISO 3166-1 (pycountry) and the
    examples' fictional States (the store may be held by the running server, or not initialised)."""
    where = ctx.settings.store
    readable = where != "memory" and ("://" in where or Path(where).exists())  # never create a store here
    try:
        if not readable:
            raise UsageError("no store to read")
        rows = ctx.store.select(internal("cli-country-codes").with_rows({"graph": [ctx.iris.graph("countries")]})).rows
    except SherlocError:
        rows = []
    if rows:
        return {str(r["code"]) for r in rows}, "the store's countries graph"
    import pycountry

    from .reference import fictional_codes

    return ({c.alpha_3 for c in pycountry.countries} | set(fictional_codes(ctx.settings)),
            "ISO 3166-1 or the examples' fictional States")


@tokens.command("list")
@click.pass_obj
def tokens_list(ctx: CommandContext) -> None:
    """The tokens: id, role, country, name, created, revoked."""
    table = Table("id", "role", "country", "name", "created", "revoked")
    for entry in Tokens(ctx.settings.tokens).list():
        table.add_row(entry.id, entry.role, entry.country or "", entry.name or "", entry.created, entry.revoked or "")
    out.print(table)


@tokens.command("revoke")
@click.argument("token_id")
@click.pass_obj
def tokens_revoke(ctx: CommandContext, token_id: str) -> None:
    """Revoke the token with this id (from tokens list); it stops working at once."""
    Tokens(ctx.settings.tokens).revoke(token_id)
    out.print(f"revoked {token_id}")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Web server processes sharing the port. More than one needs a remote store "
                   "(SHERLOC_STORE=URL): the embedded store belongs to one process.")
@click.pass_obj
def serve(ctx: CommandContext, host: str, port: int, workers: int) -> None:
    """Serve the SPARQL endpoint, the JSON API and the pages over HTTP."""
    import uvicorn

    from .api.app import create_app, server_options

    if ctx.settings.store == "memory":
        # No worker process can share a store in memory: its queries run in the server, with the
        # caps and the nesting bound but no timeout, and nothing stops one that runs for ever.
        err.print("[yellow]warning: the in-memory store is for tests and demonstrations: its queries run in the "
                  "server process, without a timeout; a public deployment must use the on-disk store "
                  "(--store DIR) or a remote SPARQL server (--store URL)[/yellow]", soft_wrap=True)
    if workers == 1:
        uvicorn.run(create_app(ctx.settings, store=ctx.store), host=host, port=port, log_level="info",
                    **server_options(ctx.settings))
        return
    if not ctx.settings.store.startswith(("http://", "https://")):
        raise UsageError(f"--workers {workers} needs a remote store (SHERLOC_STORE=URL); the embedded store "
                         f"'{ctx.settings.store}' can be opened by one process only: run one worker, or move "
                         "the data to a SPARQL server with `sherloc-kg migrate`")
    # Each worker process builds its application from the environment: pass on what the command
    # line chose, so every worker serves the same store under the same base.
    os.environ["SHERLOC_STORE"], os.environ["SHERLOC_BASE"] = ctx.settings.store, ctx.settings.base
    uvicorn.run("sherloc_kg.api.app:from_environment", factory=True, workers=workers,
                host=host, port=port, log_level="info", **server_options(ctx.settings))


