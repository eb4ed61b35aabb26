"""Account services: plain functions that flush and never commit."""

from __future__ import annotations

from sqlalchemy import select

from community.accounts.models import User, normalize_login_id
from community.accounts.passwords import DUMMY_HASH, check_password
from community.extensions import db


class AuthenticationError(Exception):
    """Login failed; the message never says whether the login ID exists."""


def find_by_login_id(login_id: str) -> User | None:
    return db.session.scalar(select(User).where(User.login_key == normalize_login_id(login_id)))


def authenticate(login_id: str, password: str) -> User:
    user = find_by_login_id(login_id)
    if user is None or user.status == "withdrawn":
        check_password(DUMMY_HASH, password)  # same cost whether or not the ID exists
        raise AuthenticationError
    if not check_password(user.password_hash, password):
        raise AuthenticationError
    return user
