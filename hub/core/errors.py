"""One error model over HTTP: every failure answers ``{error, message, hint, problems}``.

Services raise the project's errors by meaning (:mod:`shared.errors`: ``NotFound``,
``Conflict``, ``Forbidden``, ``TooLarge``, ``DataError`` for invalid input, ...); API routes
do not catch them. The handlers installed here give each class one status and one body
shape, and do the same for framework errors (``HTTPException``, request validation), so a
client reads every error the same way. Browsers get the error page instead.

Pages that re-render a form still catch :class:`~shared.errors.SyncHubError` themselves:
there the message belongs next to what the person typed, not on an error page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.core.roles import PasswordChangeRequired
from shared.errors import (
    ConfigError,
    Conflict,
    DataError,
    Forbidden,
    NotFound,
    RetriableError,
    SyncHubError,
    TooLarge,
    problem_parts,
)

log = logging.getLogger(__name__)

# First match wins: subclasses before their bases.
STATUS: tuple[tuple[type[SyncHubError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (TooLarge, 413),
    (ConfigError, 422),
    (DataError, 422),
    (RetriableError, 503),
)
CONFIG_HEADER = "{count} configuration problem(s)"
DEFAULT_STATUS = 422  # a FatalError of no finer kind: the request cannot be done as sent

# Names for framework errors that carry only a status.
STATUS_NAMES = {
    400: "BadRequest",
    401: "NotAuthenticated",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "TooLarge",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    503: "Unavailable",
}


class Problem(BaseModel):
    """One thing wrong with the request: where (a field path, a line) and what."""

    field: str | None = None
    message: str


class ErrorBody(BaseModel):
    """The one shape of every error answer of the API."""

    error: str
    message: str
    hint: str | None = None
    problems: list[Problem] = []


def status_of(exc: SyncHubError) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return DEFAULT_STATUS


def _problems(request: Request, exc: SyncHubError) -> list[Problem]:
    return [
        Problem(field=where or None, message=_translate(request, what, values) or what)
        for where, what, values in problem_parts(exc)
    ]


def _translate(
    request: Request, text: str | None, values: Mapping[str, Any] | None = None
) -> str | None:
    """``text`` (an English template, the message id) in the caller's language, filled with
    ``values``; the English text when the catalogs have no translation."""
    if text is None:
        return None
    from hub.core.i18n import Formatter  # Babel loads on the first translated error only
    from hub.core.templating import language

    return Formatter(language(request)).message(text, values or {})


def body_of(request: Request, exc: SyncHubError) -> ErrorBody:
    template = CONFIG_HEADER if isinstance(exc, ConfigError) else exc.template
    return ErrorBody(
        error=type(exc).__name__,
        message=_translate(request, template, exc.context) or exc.message,
        hint=_translate(request, exc.hint_template, exc.context),
        problems=_problems(request, exc),
    )


def describe(request: Request, exc: SyncHubError) -> str:
    """The error as a page shows it next to a form (message — hint, then its problems),
    in the reader's language; ``render(..., {"error": exc})`` does the same."""
    from hub.core.i18n import Formatter  # Babel loads on the first translated error only
    from hub.core.templating import language

    return Formatter(language(request)).error(exc)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _answer(
    request: Request, status: int, body: ErrorBody, headers: dict[str, str] | None = None
) -> Response:
    if _is_api(request):
        return JSONResponse(body.model_dump(), status, headers=headers)
    if status == 401:
        return RedirectResponse(f"/login?next={request.url.path}", 303)
    from hub.core.templating import render  # Jinja loads on the first page only

    return render(
        request,
        "error.html",
        {"status": status, "detail": body.message, "hint": body.hint},
        status_code=status,
    )


def too_large(request: Request, limit: int) -> Response:
    """The answer to a body over its route's limit (the framework's own is plain text)."""
    exc = TooLarge(
        "the request body is over this route's limit of {limit} KiB",
        hint="send a smaller file, or split it",
        limit=limit // 1024,
    )
    return _answer(request, 413, body_of(request, exc))


async def _project_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SyncHubError)
    if isinstance(exc, PasswordChangeRequired) and not _is_api(request):
        return RedirectResponse("/account", 303)  # a page: straight to the password form
    return _answer(request, status_of(exc), body_of(request, exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    name = STATUS_NAMES.get(exc.status_code, "Error")
    detail = str(exc.detail)
    body = ErrorBody(error=name, message=_translate(request, detail) or detail)
    return _answer(request, exc.status_code, body, getattr(exc, "headers", None))


def _detail(error: Any) -> str:
    """pydantic's message, with the parser's reason for a body that is not JSON."""
    reason = (error.get("ctx") or {}).get("error")
    return (
        f"{error['msg']}: {reason}"
        if error.get("type") == "json_invalid" and reason
        else str(error["msg"])
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        Problem(field=".".join(str(x) for x in e.get("loc", ())) or None, message=_detail(e))
        for e in exc.errors()
    ]
    body = ErrorBody(
        error="Invalid",
        message=_translate(request, "the request is not valid") or "the request is not valid",
        hint=_translate(request, "correct the fields listed in problems and send it again"),
        problems=problems,
    )
    return _answer(request, 422, body)


async def _out_of_range(request: Request, exc: Exception) -> Response:
    # A number too large for its column (SQLite OverflowError, PostgreSQL DataError).
    body = ErrorBody(
        error="Invalid",
        message=_translate(request, "a value is out of range") or "a value is out of range",
        hint=_translate(request, "check the numbers and ids in the request"),
    )
    return _answer(request, 422, body)


def _fixed(status: int, error: str, message: str, hint: str) -> Any:
    """A handler answering ``status`` with a fixed message: database and library errors are
    never shown as they are (they name the engine, a table, a constraint)."""

    async def handler(request: Request, exc: Exception) -> Response:
        if status >= 500:
            log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        text = _translate(request, message) or message
        return _answer(
            request, status, ErrorBody(error=error, message=text, hint=_translate(request, hint))
        )

    return handler


def install_error_handlers(app: FastAPI) -> None:
    import sqlalchemy.exc

    app.add_exception_handler(SyncHubError, _project_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(sqlalchemy.exc.DataError, _out_of_range)
    # A constraint refused the change (another request changed the same data meanwhile).
    app.add_exception_handler(
        sqlalchemy.exc.IntegrityError,
        _fixed(
            409,
            "Conflict",
            "the change clashes with data that changed meanwhile",
            "reload and try again",
        ),
    )
    # Anything else: logged with its traceback, answered in the one shape, nothing internal shown.
    app.add_exception_handler(
        Exception,
        _fixed(
            500,
            "Internal",
            "the hub failed to answer this request; the error was logged",
            "try again later; if it persists, tell the hub's operator the time of the request",
        ),
    )


__all__ = [
    "ErrorBody",
    "Problem",
    "STATUS",
    "body_of",
    "describe",
    "install_error_handlers",
    "status_of",
    "too_large",
]
