"""The only way photos leave the server: through the policy, 404 for anything one may not see."""

from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import current_user
from sqlalchemy import select

from community.extensions import db
from community.media import storage
from community.media.models import SIZES, Photo
from community.policy import can_view_photo, photo_is_public

bp = Blueprint("media", __name__)


@bp.get("/photos/<token>/<size>")
def photo(token: str, size: str):
    if size not in SIZES or len(token) > 43:
        abort(404)
    found = db.session.scalar(select(Photo).where(Photo.token == token))
    if found is None or not can_view_photo(current_user, found):
        abort(404)
    path = storage.path_for(found.filename(size))
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=found.mimetype, conditional=True, etag=True, max_age=0)
    # Revalidate every time, so changing an entry's visibility takes effect at once.
    visibility = "public" if photo_is_public(found) else "private"
    response.headers["Cache-Control"] = f"{visibility}, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.vary.add("Cookie")
    return response
