"""How list and show commands print: text for a person, ``--json`` for a script.

Every ``synchub`` command that lists or shows something takes ``--json`` (:data:`json_option`)
and prints through :func:`emit`: one JSON document (a list, or an object) on stdout, with
decimals as exact strings and times in ISO 8601 UTC, so a script never parses the table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import click
from pydantic import BaseModel

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document instead of text (for scripts)."
)


def plain(value: Any) -> Any:
    """A value JSON can hold: Decimal → exact string, time → ISO 8601, model → its fields."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return [plain(v) for v in value]
    return str(value)


def emit(data: Any, as_json: bool, text: Callable[[], None]) -> None:
    """``data`` as JSON when asked, else ``text()`` prints it for a person."""
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=plain))
    else:
        text()


__all__ = ["emit", "json_option", "plain"]
