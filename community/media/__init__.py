"""The shared photo pipeline: validate, orient, strip metadata, re-encode, serve through the policy.

Use from any feature: `services.check_photo(data)` (validate only), `services.store_photo(...)`,
`services.delete_photos_of(owner_type, ids)`, and in templates `url_for("media.photo",
token=photo.token, size="display"|"thumb")`. Register who may see your content's photos with
`community.policy.register_photo_owner(owner_type, can_view_owner)`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from community.media import models, storage  # noqa: F401 - tables and the file/transaction hooks
    from community.media.views import bp

    # TSUNAGARI_MAX_PHOTO_BYTES / TSUNAGARI_MAX_PHOTO_PIXELS in the environment override these.
    app.config.setdefault("MAX_PHOTO_BYTES", 10 * 1024 * 1024)
    app.config.setdefault("MAX_PHOTO_PIXELS", 40_000_000)
    app.register_blueprint(bp)
