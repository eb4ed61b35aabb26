"""Profiles, friends (友達), blocks, withdrawal (退会) and "download my data"."""

from flask import Flask


def init_app(app: Flask) -> None:
    from community.social import models  # noqa: F401 - registers the tables
