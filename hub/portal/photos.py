"""Product photos: checked and re-encoded with Pillow, a thumbnail made, served by the hub.

An upload is opened as an image (anything else is refused), limited in bytes and pixels (a
"decompression bomb" is refused before it is decoded), turned upright by its EXIF orientation,
and saved again as JPEG under a random name: what is served is never the uploaded bytes (no
metadata, no polyglot files). The thumbnail (at most 320 px a side) is what catalog cards and
product pages show; the photo links to the full size (at most 1600 px).
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.catalog.models import Product
from hub.core.roles import Principal
from shared.atomic import write_atomic
from shared.errors import DataError, NotFound, TooLarge

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
FULL, THUMB = 1600, 320
NAME_CHARS = frozenset("0123456789abcdef.jpg")


def media_dir(home: Path) -> Path:
    return home / "media" / "products"


def _jpeg(image: Image.Image, side: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side))
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    """The upload as an upright RGB image, or a clear refusal."""
    if len(data) > MAX_BYTES:
        raise TooLarge("the photo is larger than {mb} MB", mb=MAX_BYTES // (1024 * 1024))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise TooLarge(
                    "the photo has more than {mp} megapixels", mp=MAX_PIXELS // 1_000_000
                )
            probe.load()
            return ImageOps.exif_transpose(probe).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise DataError(
            "the file is not a photo the hub can read", hint="upload a JPEG, PNG or WebP image"
        ) from exc


def add_photo(
    session: Session, principal: Principal, home: Path, product_id: int, data: bytes
) -> str:
    """Store the photo and its thumbnail; the product lists it last. Returns its file name."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound("no product #{product_id}", product_id=product_id)
    image = decode(data)
    name = f"{secrets.token_hex(16)}.jpg"
    where = media_dir(home)
    (where / "thumbs").mkdir(parents=True, exist_ok=True)
    write_atomic(where / name, _jpeg(image, FULL), mode=0o644)
    write_atomic(where / "thumbs" / name, _jpeg(image, THUMB), mode=0o644)
    product.images = [*(product.images or []), name]
    record(session, principal, "product.photo_add", "product", product.id, None, {"photo": name})
    session.flush()
    return name


def photo_path(home: Path, name: str, *, thumb: bool) -> Path:
    """The stored file of ``name`` (our own random names only: no path ever comes from a user)."""
    if not name.endswith(".jpg") or set(name) - NAME_CHARS or len(name) != 36:
        raise NotFound("no photo {name}", name=repr(name))
    path = media_dir(home) / ("thumbs" if thumb else "") / name
    if not path.is_file():
        raise NotFound("no photo {name}", name=repr(name))
    return path
