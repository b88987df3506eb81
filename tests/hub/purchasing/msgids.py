"""The English message ids a capability's pages use: ``_("...")`` in its templates and the
words its Python hands to them (states, buttons, messages, menu labels)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

HUB = Path(__file__).resolve().parents[3] / "hub"
CALL = re.compile(r"""_\(\s*(["'])(.+?)(?<!\\)\1""", re.S)


def template_ids(capability: str) -> set[str]:
    out = set()
    for path in (HUB / capability / "templates").glob("*.html"):
        out |= {m.group(2) for m in CALL.finditer(path.read_text(encoding="utf-8"))}
    return out


def missing(ids: Iterable[str], catalogue: dict[str, str]) -> list[str]:
    return sorted(i for i in ids if not catalogue.get(i))
