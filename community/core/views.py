from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from community.accounts.services import verifying_facilities
from community.announcements.services import current_announcements
from community.core.settings import site_settings
from community.extensions import db
from community.official.services import followed_feed

bp = Blueprint("core", __name__, template_folder="templates")


@bp.get("/")
def home():
    facilities = verifying_facilities()
    return render_template(
        "core/home.html",
        announcements=current_announcements(limit=5),
        facilities=facilities,
        official_posts=followed_feed(current_user) if current_user.is_authenticated else None,
    )


@bp.get("/help")
def help_page():
    facilities = verifying_facilities()
    return render_template("core/help.html", facilities=facilities, help_text=site_settings().help_text)


@bp.get("/contact")
def contact():
    return render_template("core/contact.html", settings=site_settings())


def ratelimit_health() -> dict:
    """Whether the rate-limit counters' storage (Redis with several machines) answers. Without it
    each worker enforces the limits in memory ("fallback"), so the site degrades but stays in the
    load balancer: the limits hold, only per worker instead of across machines."""
    from community.extensions import limiter

    scheme = str(current_app.config.get("RATELIMIT_STORAGE_URI", "")).split(":", 1)[0]
    if limiter.storage.check():
        return {"ok": True, "storage": scheme}
    fallback = "memory" if current_app.config.get("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED") else "none"
    return {"ok": False, "storage": scheme, "fallback": fallback}


@bp.get("/healthz")
def healthz():
    """Database and search-index state as JSON, for load balancers and monitoring. No secrets."""
    checks: dict[str, dict] = {}
    try:
        db.session.execute(text("SELECT 1"))
        revision = None
        try:
            revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        except Exception:  # noqa: BLE001 - an unmigrated database is reported, not raised
            db.session.rollback()
        checks["database"] = {"ok": True, "dialect": db.engine.dialect.name, "revision": revision}
    except Exception as exc:  # noqa: BLE001 - health reports failures instead of raising them
        db.session.rollback()
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
    for name, probe in current_app.extensions.get("tsunagari.health", {}).items():
        try:
            checks[name] = probe()
        except Exception as exc:  # noqa: BLE001
            checks[name] = {"ok": False, "error": exc.__class__.__name__}
    ok = all(check.get("ok") for check in checks.values())
    response = jsonify(status="ok" if ok else "degraded", checks=checks)
    # Only a dead database takes this process out of a load balancer; a broken index degrades search alone.
    response.status_code = 200 if checks["database"]["ok"] else 503
    response.headers["Cache-Control"] = "no-store"
    return response
