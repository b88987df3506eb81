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

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import (
    ConfigError,
    Conflict,
    DataError,
    Forbidden,
    NotFound,
    RetriableError,
    SyncHubError,
    TooLarge,
)

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


def _problems(raw: Iterable[Any]) -> list[Problem]:
    out = []
    for p in raw:
        if isinstance(p, tuple) and len(p) == 2:
            out.append(Problem(field=str(p[0]) or None, message=str(p[1])))
        else:
            out.append(Problem(message=str(p)))
    return out


def _translate(request: Request, text: str | None) -> str | None:
    if text is None:
        return None
    from hub.core.i18n import Formatter  # Babel loads on the first translated error only
    from hub.core.templating import language

    return Formatter(language(request)).gettext(text)


def body_of(request: Request, exc: SyncHubError) -> ErrorBody:
    from hub.core.i18n import Formatter, error_texts
    from hub.core.templating import language

    raw = exc.problems if isinstance(exc, ConfigError) else exc.context.get("problems", [])
    message, hint = error_texts(exc, Formatter(language(request)).gettext)
    return ErrorBody(
        error=type(exc).__name__, message=message, hint=hint, problems=_problems(raw or [])
    )


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


async def _project_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SyncHubError)
    return _answer(request, status_of(exc), body_of(request, exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    name = STATUS_NAMES.get(exc.status_code, "Error")
    detail = exc.detail
    if isinstance(detail, dict):  # an ErrorBody-like dict raised by a route
        message, hint = str(detail.get("message", "")), detail.get("hint")
        cause = exc.__cause__
        if isinstance(cause, SyncHubError) and cause.context.get("msgid"):
            # a project error turned into HTTPException (``raise ... from exc``) stays translated
            translated = body_of(request, cause)
            message, hint = translated.message, translated.hint
        body = ErrorBody(
            error=str(detail.get("error", name)),
            message=message,
            hint=hint,
            problems=_problems(detail.get("problems") or []),
        )
    else:
        body = ErrorBody(error=name, message=_translate(request, str(detail)) or str(detail))
    return _answer(request, exc.status_code, body, getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        Problem(field=".".join(str(x) for x in e.get("loc", ())) or None, message=str(e["msg"]))
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


def install_error_handlers(app: FastAPI) -> None:
    import sqlalchemy.exc

    app.add_exception_handler(SyncHubError, _project_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(sqlalchemy.exc.DataError, _out_of_range)


__all__ = ["ErrorBody", "Problem", "STATUS", "body_of", "install_error_handlers", "status_of"]
