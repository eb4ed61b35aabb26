"""Who may see a photo: whoever may see the content it belongs to.

Each kind of content that carries photos registers how to answer for one of its ids
(`register_photo_owner("circle_post", can_view_post_id)`); a photo of an unknown kind is seen by no one.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_login import AnonymousUserMixin

PhotoOwnerCheck = Callable[[object, int], bool]
_PHOTO_OWNERS: dict[str, PhotoOwnerCheck] = {}


def register_photo_owner(owner_type: str, can_view_owner: PhotoOwnerCheck) -> None:
    """`can_view_owner(viewer, owner_id)` must answer through this policy package's own rules."""
    _PHOTO_OWNERS[owner_type] = can_view_owner


def can_view_photo(viewer, photo) -> bool:
    check = _PHOTO_OWNERS.get(photo.owner_type)
    return bool(check and check(viewer, photo.owner_id))


def photo_is_public(photo) -> bool:
    """True when a logged-out visitor could see it too (then shared caches may keep it briefly)."""
    return can_view_photo(AnonymousUserMixin(), photo)
