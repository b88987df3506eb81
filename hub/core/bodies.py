"""Request bodies the hub accepts: strict JSON, and a size limit on every route.

Python's ``json`` reads ``NaN``, ``Infinity`` and ``1e309`` (as an infinite float) and keeps a
lone ``\\ud800`` as a string no database can store: each of them answered 500 somewhere deep
in a service. RFC 8259 has none of them, so they are refused here, at the door, as the
malformed JSON they are (422 like any other, naming where). Every body is also capped
(FastAPI's ``max_body_size``: :data:`DEFAULT_BODY_LIMIT` for the app, more on the few upload
routes that declare it), so a 40 MB post is refused after its first megabyte instead of read.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.core.errors import too_large

DEFAULT_BODY_LIMIT = 1024 * 1024  # JSON and forms; uploads declare their own
MAX_INT_DIGITS = 40  # ids, quantities and amounts are far shorter; 4,300 digits cost CPU


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (RFC 8259 has no NaN or Infinity)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range for a JSON number")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"a number of {len(text)} digits is out of range")
    return int(text)


def _strings(value: Any) -> Any:
    """Every string in a decoded JSON value (keys included)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def check_json(body: bytes) -> None:
    """Raise :class:`json.JSONDecodeError` for what RFC 8259 JSON cannot hold; syntax errors are
    left to the framework's own parse (it reports them the same way)."""
    if not body:
        return
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError("the body is not UTF-8", "", exc.start) from None
    try:
        value = json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite, parse_int=_bounded_int
        )
    except json.JSONDecodeError:
        return
    except ValueError as exc:
        raise json.JSONDecodeError(str(exc), text, 0) from None
    for s in _strings(value):
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:
            raise json.JSONDecodeError(
                "a string holds a lone surrogate (\\ud800-\\udfff): not Unicode text", text, 0
            ) from None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return False


class RequestBodies:
    """ASGI middleware: a JSON body is checked by :func:`check_json` as the route reads it, and
    the framework's plain-text 413 (a body over the route's limit) becomes the hub's one error
    answer (JSON for the API, the error page for a browser).

    The JSON check runs on the last chunk the route receives, inside the framework's own body
    reading, so its error becomes the usual 422; nothing is read that the route's size limit
    would not read.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        replaced = False

        async def checked() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    check_json(b"".join(chunks))
            return message

        async def one_shape(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and _plain_413(message):
                replaced = True
                limit = scope.get(MAX_BODY_SIZE_SCOPE_KEY) or DEFAULT_BODY_LIMIT
                await too_large(Request(scope), limit)(scope, receive, send)
            elif not replaced:
                await send(message)

        await self.app(scope, checked if _is_json(scope) else receive, one_shape)


def _plain_413(message: Message) -> bool:
    headers = dict(message.get("headers", ()))
    return message["status"] == 413 and headers.get(b"content-type", b"").startswith(b"text/plain")


__all__ = ["DEFAULT_BODY_LIMIT", "RequestBodies", "check_json"]
