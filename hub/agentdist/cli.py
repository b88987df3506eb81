"""``synchub agent-package``: build the syncagent wheel (what /agent serves) into a folder."""

from __future__ import annotations

from pathlib import Path

import click

from hub.agentdist.wheel import build


@click.command("agent-package")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder to write the wheel into.",
)
def agent_package(out: Path) -> None:
    """Build the `syncagent` package (agent, connectors and contract; not the hub).

    Resellers install it with `pip install syncagent-….whl` (Python 3.11 or newer);
    the hub's web UI offers the same file at /agent with its SHA-256.
    """
    wheel = build(out)
    click.echo(f"{wheel.path}  {wheel.size:,} bytes")
    click.echo(f"sha256 {wheel.sha256}")
