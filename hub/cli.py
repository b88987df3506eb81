"""`synchub` — the distributor's hub: serve, ingest, resellers, data, users.

Each capability contributes its own click group from ``hub/<capability>/cli.py``;
this file only wires them together (top floor of the layering). A command's
module is imported only when that command runs (``synchub data export`` does
not load the web app, the merge or the shipping tables); ``--help`` imports
them all to list them.
"""

from __future__ import annotations

import importlib
import sys

import click

from shared.errors import SyncHubError

# (module, attribute) of each capability's command or group, in --help order. The command's
# name is the attribute's with dashes (click's own rule: ``agent_package`` -> ``agent-package``).
COMMANDS: list[tuple[str, str]] = [
    ("hub.setup_cli", "init"),
    ("hub.setup_cli", "db"),
    ("hub.serve", "serve"),
    ("hub.demo.run", "demo"),
    ("hub.serve", "jobs"),
    ("hub.serve", "keys"),
    ("hub.users.cli", "user"),
    ("hub.data.cli", "data"),
    ("hub.resellers.cli", "reseller"),
    ("hub.ingest.cli", "ingest"),
    ("hub.ingest.cli", "quarantine"),
    ("hub.ingest.cli", "snapshots"),
    ("hub.shipping.cli", "shipping"),
    ("hub.orders.cli", "orders"),
    ("hub.catalog.cli", "catalog"),
    ("hub.offers.cli", "offers"),
    ("hub.campaigns.cli", "campaigns"),
    ("hub.purchasing.cli", "purchasing"),
    ("hub.monitoring.cli", "alerts"),
    ("hub.backup.cli", "backup"),
    ("hub.backup.cli", "restore"),
    ("hub.agentdist.cli", "agent_package"),
]


class LazyGroup(click.Group):
    """The commands of COMMANDS, each imported from its capability's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [command_name(attr) for _module, attr in COMMANDS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for module_name, attr in COMMANDS:
            if command_name(attr) == cmd_name:
                command = getattr(importlib.import_module(module_name), attr)
                assert isinstance(command, click.Command)
                return command
        return None


def command_name(attr: str) -> str:
    return attr.replace("_", "-")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="synchub")
def cli() -> None:
    """SyncHub hub: receives resellers' sealed snapshots over SFTP, merges them
    with history, and serves the web UI and API.

    Settings come from SYNCHUB_* environment variables (SYNCHUB_HOME is the
    data directory, default ./synchub-data; SYNCHUB_DATABASE_URL defaults to
    SQLite inside it).
    """


def main() -> None:
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SyncHubError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
