"""Every error the hub raises speaks Indonesian too: its message is a template with its values
apart (never an f-string), and the template and its hint are in the locale catalogs.

Read from the source (ast), so a new ``raise NotFound(f"...")`` or an untranslated message
fails here before a reseller reads English on an Indonesian page.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import hub
from hub.core.i18n import catalogue
from shared.errors import SyncHubError

HUB = Path(hub.__file__).resolve().parent


def _error_classes() -> set[str]:
    for info in pkgutil.walk_packages([str(HUB)], "hub."):
        if ".migrations" not in info.name:
            importlib.import_module(info.name)
    seen: set[str] = set()
    todo = [SyncHubError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__name__ not in seen:
                seen.add(sub.__name__)
                todo.append(sub)
    return seen - {"ConfigError"}  # its problems are listed apart (paths, not sentences)


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _texts(node: ast.Call, classes: set[str]) -> Iterator[tuple[str, ast.expr]]:
    """(what, node) of each message text of an error construction or a ``problem(...)``."""
    name = _name(node.func)
    if name in classes and node.args:
        yield "message", node.args[0]
    if name == "problem" and len(node.args) >= 2:
        yield "problem", node.args[1]
    if name in classes or name == "problem":
        for kw in node.keywords:
            if kw.arg == "hint":
                yield "hint", kw.value


def _strings(node: ast.expr) -> Iterator[str]:
    """The constant texts of ``node``: a string, or each side of a conditional or ``+``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)
    elif isinstance(node, ast.BinOp):
        yield from _strings(node.left)
        yield from _strings(node.right)


def _findings() -> tuple[list[str], list[str]]:
    classes, ids = _error_classes(), catalogue("id")
    formatted, untranslated = [], []
    for path in sorted(HUB.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        where = path.relative_to(HUB.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for what, arg in _texts(node, classes):
                if isinstance(arg, ast.JoinedStr):
                    formatted.append(f"{where}:{arg.lineno}: {what} is an f-string")
                for text in _strings(arg):
                    whole = text if not isinstance(arg, ast.BinOp) else None
                    if whole is not None and text not in ids:
                        untranslated.append(f"{where}:{arg.lineno}: {what} {text!r}")
    return formatted, untranslated


def test_error_messages_are_templates_not_f_strings() -> None:
    formatted, _ = _findings()
    assert not formatted, (
        "pass the values as keywords, e.g. NotFound('no order #{order_id}', order_id=n):\n"
        + "\n".join(formatted)
    )


def test_error_messages_and_hints_have_indonesian() -> None:
    _, untranslated = _findings()
    assert not untranslated, "add these to hub/<capability>/locales/id.json:\n" + "\n".join(
        untranslated
    )
