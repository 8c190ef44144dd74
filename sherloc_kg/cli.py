"""``sherloc-kg``: the command line. Exit codes: 0 ok, 1 invalid data (or a failed store or
query), 2 usage error. Every error is one red line on standard error, never a traceback; errors
are mapped to exit codes here and nowhere else."""

from __future__ import annotations

import sys

import click

from .cli_context import CommandContext, err, print_issues
from .cli_load import generate, init, load, validate
from .cli_service import serve, tokens
from .cli_store import check_ontology, export, list_queries, migrate, optimize, query, restore, stats
from .config import SETTINGS, Settings
from .errors import SherlocError, ValidationFailed
from .ingest import LoadStopped


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
# The installed distribution's version (importlib.metadata), so a wheel and a checkout say which they are.
@click.version_option(package_name="sherloc-kg", prog_name="sherloc-kg", message="%(prog)s %(version)s")
@click.option("--store", default=None, metavar="DIR|memory|URL", help=SETTINGS["store"][2] + " [env SHERLOC_STORE; default var/store]")
@click.option("--base", default=None, metavar="IRI", help=SETTINGS["base"][2] + " [env SHERLOC_BASE]")
@click.pass_context
def cli(ctx: click.Context, store: str | None, base: str | None) -> None:
    """SHERLOC-KG: UNTOC, its Protocols, and the law and case law that implement them, as a knowledge graph."""
    context = CommandContext(Settings.from_env(store=store, base=base))
    ctx.obj = context
    ctx.call_on_close(context.close)


# The commands, by what they act on: data through the pipeline (cli_load), the store (cli_store),
# the web service and its tokens (cli_service).
for command in (init, load, validate, generate, query, list_queries, export, restore, optimize, stats, migrate,
                check_ontology, tokens, serve):
    cli.add_command(command)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except LoadStopped as stopped:
        err.print(f"[red]{stopped}[/red]", soft_wrap=True)
        sys.exit(stopped.exit_code)
    except click.exceptions.Abort:
        err.print("[red]aborted[/red]")
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(2)
    except ValidationFailed as error:
        print_issues(error.issues)
        err.print(f"[red]{len([i for i in error.issues if i.severity == 'Violation'])} violation(s): "
                  "nothing was written[/red]")
        sys.exit(error.exit_code)
    except SherlocError as error:
        err.print(f"[red]error: {error}[/red]", soft_wrap=True)
        sys.exit(error.exit_code)
    except click.exceptions.Exit as error:
        sys.exit(error.exit_code)


if __name__ == "__main__":
    main()
