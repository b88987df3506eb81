"""The OpenAPI document as a client needs it: how to authenticate, and what errors look like.

FastAPI documents a 200 and its own 422 shape per operation. The hub answers every error
with one body (:class:`hub.core.errors.ErrorBody`), authenticates with a Bearer token or the
session cookie, and declares per route who may call it (:func:`hub.core.deps.require`);
this module writes that into the document once, from the routes' own declarations, so no
router has to repeat it (and none can forget it).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from hub.core.deps import PUBLIC, declared_access, iter_routes
from hub.core.errors import ErrorBody
from hub.core.security import SESSION_COOKIE

SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token (`sht_...`) issued to a reseller's systems: "
        "`POST /api/v1/tokens` or the tokens page.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "The signed-in browser's session; unsafe methods also need the "
        "`X-CSRF-Token` header.",
    },
}
ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
WHY = {
    "401": "not signed in, or the token is unknown or revoked",
    "403": "the caller's role may not do this",
    "404": "what the path names does not exist, or is not the caller's to see",
    "409": "the request clashes with the current state (already done, out of stock, ...)",
    "413": "the body is over this operation's limit",
    "422": "the request is not valid: `problems` lists each field",
    "503": "something the hub depends on is unavailable: try again later",
}
UNSAFE = {"post", "put", "patch", "delete"}
CONVERTER = re.compile(r"\{(\w+):\w+\}")  # {key:path} in a route is {key} in the document


def _errors_of(method: str, path: str, guarded: bool) -> list[str]:
    codes = ["422"]
    if guarded:
        codes += ["401", "403"]
    if "{" in path:
        codes.append("404")
    if method in UNSAFE:
        codes += ["409", "413"]
    return sorted(codes)


def _document(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    access = {
        (m.lower(), CONVERTER.sub(r"{\1}", r.path)): declared_access(r)
        for r in iter_routes(app.routes)
        for m in getattr(r, "methods", None) or ()
    }
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    error = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(error.pop("$defs", {}))
    schemas["ErrorBody"] = error
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components["securitySchemes"] = SECURITY_SCHEMES
    for path, operations in doc.get("paths", {}).items():
        for method, op in operations.items():
            guarded = access.get((method, path)) not in (PUBLIC, None)
            if guarded:
                op["security"] = [{"bearer": []}, {"session": []}]
            responses = op.setdefault("responses", {})
            for code in _errors_of(method, path, guarded):
                responses[code] = {
                    "description": WHY[code],
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
    return doc


def install_openapi(app: FastAPI) -> None:
    """``app.openapi()`` returns the document above (built once, on first use)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = ["SECURITY_SCHEMES", "install_openapi"]
