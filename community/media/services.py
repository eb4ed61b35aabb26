"""Store and delete photos; callers (diaries, circles, profiles) own the content they attach to."""

from __future__ import annotations

import errno
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from community.extensions import db
from community.media import storage
from community.media.models import SIZES, Photo
from community.media.pipeline import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, PhotoError, process

MSG_STORAGE = _l("The photo could not be saved because the server's storage is full. Please try again later.")


def max_photo_bytes() -> int:
    return int(current_app.config.get("MAX_PHOTO_BYTES") or DEFAULT_MAX_BYTES)


def max_photo_pixels() -> int:
    return int(current_app.config.get("MAX_PHOTO_PIXELS") or DEFAULT_MAX_PIXELS)


def read_upload(file_storage) -> bytes:
    """Read at most one byte more than the limit, so a huge upload is never held whole in memory."""
    return file_storage.stream.read(max_photo_bytes() + 1)


def check_photo(data: bytes):
    """Validate and re-encode without storing (a form can refuse early and store nothing)."""
    return process(data, max_bytes=max_photo_bytes(), max_pixels=max_photo_pixels())


def store_photo(data: bytes, *, uploaded_by, owner_type: str, owner_id: int, position: int = 0,
                alt_text: str = "", processed=None) -> Photo:
    processed = processed or check_photo(data)
    token = secrets.token_urlsafe(32)
    photo = Photo(
        token=token,
        uploaded_by_id=getattr(uploaded_by, "id", None),
        owner_type=owner_type,
        owner_id=owner_id,
        position=position,
        extension=processed.extension,
        width=processed.display.width,
        height=processed.display.height,
        thumb_width=processed.thumb.width,
        thumb_height=processed.thumb.height,
        bytes=len(processed.display.data) + len(processed.thumb.data),
        alt_text=alt_text[:200],
    )
    written = []
    try:
        for size, encoded in (("display", processed.display), ("thumb", processed.thumb)):
            written.append(storage.write_atomic(photo.filename(size), encoded.data))
    except OSError as error:
        storage.remove_quietly(written)
        current_app.logger.error("photo could not be written: %s", error.strerror)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise PhotoError(MSG_STORAGE) from error
        raise
    storage.track_new(db.session, written)
    db.session.add(photo)
    db.session.flush()
    return photo


def photos_of(owner_type: str, owner_id: int) -> list[Photo]:
    return list(db.session.scalars(
        select(Photo).where(Photo.owner_type == owner_type, Photo.owner_id == owner_id).order_by(Photo.position, Photo.id)
    ))


def delete_photos(photos) -> None:
    """Rows go now; files go once the transaction commits."""
    photos = list(photos)
    if not photos:
        return
    storage.delete_after_commit(db.session, [storage.path_for(p.filename(s)) for p in photos for s in SIZES])
    db.session.execute(delete(Photo).where(Photo.id.in_([p.id for p in photos])))
    db.session.flush()


def delete_photos_of(owner_type: str, owner_ids) -> None:
    ids = list(owner_ids)
    if ids:
        delete_photos(db.session.scalars(select(Photo).where(Photo.owner_type == owner_type, Photo.owner_id.in_(ids))))
