"""公式アカウント: the city's department accounts, their posts, followers and corrections (訂正)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from community.official import models  # noqa: F401
