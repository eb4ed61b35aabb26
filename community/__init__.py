"""Community features: accounts, diaries, circles and the site's shared core.

Other packages may import community; community imports none of them.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from community.core.database import UTCDateTime  # noqa: F401 - registers the SQLite pragmas listener

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def translation_directories() -> str:
    """Every package keeps its own catalogue; Flask-Babel merges them."""
    dirs = sorted(str(p) for p in PROJECT_ROOT.glob("*/translations") if p.is_dir())
    dirs += sorted(str(p) for p in PROJECT_ROOT.glob("*/*/translations") if p.is_dir())
    return ";".join(dirs)


def init_app(app: Flask) -> None:
    from community.core import layout, urls
    from community.extensions import babel, csrf, db, limiter, login_manager, migrate

    urls.init_app(app)  # bounded <int:...> ids, before any blueprint adds a rule
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories())
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    from community.core.views import ratelimit_health

    app.extensions.setdefault("tsunagari.health", {})["ratelimit"] = ratelimit_health
    from community.core.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # sessions are server-side rows; rotation happens at login

    # Models must be imported so that metadata (and migrations) know every table.
    # Feature packages bind their own models, blueprints, CLI and demo data.
    from community import (
        audit,  # noqa: F401
        circles,
        diaries,
        media,
        notifications,
        official,
        questions,
        social,
        surveys,
    )
    from community.accounts import models as _accounts_models  # noqa: F401
    from community.accounts import sessions as _sessions  # noqa: F401
    from community.announcements import models as _announcement_models  # noqa: F401
    from community.core import settings as _settings  # noqa: F401

    official.init_app(app)

    for package in (media, notifications, social, diaries, circles):
        package.init_app(app)
    surveys.init_app(app)
    questions.init_app(app)
    from community import accounts

    accounts.init_app(app)
    from community import reach  # リーチ分析: counts views of circle topics and official posts

    reach.init_app(app)
    from community import admin  # 管理: facilities, districts, staff accounts

    admin.init_app(app)

    from community import terms  # 利用規約 and プライバシーポリシー: versions and agreement

    terms.init_app(app)
    from community.core import errors, mail, once, security

    errors.init_app(app)
    mail.init_app(app)  # the mail_message queue, its after-commit delivery and `flask tsunagari mail`
    once.init_app(app)  # double-submit protection (form_submission rows)
    security.init_app(app)
    layout.init_app(app)

    from community.accounts.views import bp as accounts_bp
    from community.announcements.views import bp as announcements_bp
    from community.core.views import bp as core_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(announcements_bp)

    from community.accounts import demo as accounts_demo
    from community.core import backup as _backup  # noqa: F401 - `flask tsunagari backup` / `restore`
    from community.core.cli import register_demo_loader, tsunagari_cli

    register_demo_loader(app, 10, accounts_demo.load)
    from community.announcements import demo as announcements_demo

    register_demo_loader(app, 16, announcements_demo.load)  # after the department accounts (15)
    app.cli.add_command(tsunagari_cli)
