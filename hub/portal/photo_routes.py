"""Product photos over HTTP: staff upload (API), every signed-in user sees them (catalog pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, UploadFile
from fastapi.responses import FileResponse

from hub.core.deps import CurrentPrincipal, RowId, SettingsDep, WriteSessionDep, require
from hub.core.roles import Principal, Role
from hub.portal import photos

router = APIRouter()
Staff = Annotated[Principal, require(Role.OWNER, Role.OPERATIONS)]
CACHE = {"Cache-Control": "private, max-age=86400, immutable", "X-Content-Type-Options": "nosniff"}


@router.post("/api/v1/catalog/products/{product_id}/photos", status_code=201, tags=["catalog"])
def upload_photo(
    product_id: RowId,
    file: UploadFile,
    session: WriteSessionDep,
    settings: SettingsDep,
    principal: Staff,
) -> dict[str, str]:
    """Add a photo (JPEG, PNG, WebP; at most 10 MB): stored re-encoded, with a thumbnail."""
    data = file.file.read(photos.MAX_BYTES + 1)
    name = photos.add_photo(session, principal, settings.home, product_id, data)
    return {
        "name": name,
        "url": f"/media/products/{name}",
        "thumb": f"/media/products/thumbs/{name}",
    }


@router.get("/media/products/thumbs/{name}", include_in_schema=False, dependencies=[require()])
def thumbnail(name: str, settings: SettingsDep, principal: CurrentPrincipal) -> FileResponse:
    return FileResponse(
        photos.photo_path(settings.home, name, thumb=True), media_type="image/jpeg", headers=CACHE
    )


@router.get("/media/products/{name}", include_in_schema=False, dependencies=[require()])
def photo(name: str, settings: SettingsDep, principal: CurrentPrincipal) -> FileResponse:
    return FileResponse(
        photos.photo_path(settings.home, name, thumb=False), media_type="image/jpeg", headers=CACHE
    )
