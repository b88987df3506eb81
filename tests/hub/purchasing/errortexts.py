"""The fixed texts of the errors a capability raises (messages, hints, message ids): what the
error handler and the pages look up in the reader's catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

ERRORS = {"DataError", "Conflict", "NotFound", "Forbidden", "OverReceipt", "InsufficientStock"}


def fixed_texts(*modules: Path) -> set[str]:
    """Plain string messages and hints of ``raise X(...)``, ``translatable(...)`` message ids
    and hints, and the ``what``/``hint`` of ``_require(...)``; f-strings are not fixed."""
    out: set[str] = set()
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            args = list(node.args)
            if name == "translatable":
                args = args[1:3]
            elif name == "_require":
                what, hint = (args[1:3] + [None, None])[:2]
                if isinstance(what, ast.Constant):
                    out.add(f"{what.value} is needed")
                args = [hint] if hint is not None else []
            elif name not in ERRORS:
                continue
            else:
                args = args[:1]
            args += [k.value for k in node.keywords if k.arg == "hint"]
            out |= {
                a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)
            }
    return out
