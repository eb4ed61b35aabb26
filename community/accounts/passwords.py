"""Password hashing (scrypt via Werkzeug) and NIST SP 800-63B rules: length, no composition rules."""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 128
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(
        line.strip().casefold() for line in _COMMON_FILE.read_text(encoding="utf-8").splitlines() if line.strip()
    )


def normalize_password(password: str) -> str:
    # NIST asks for NFKC so that the same password typed on another keyboard still matches.
    return unicodedata.normalize("NFKC", password)


def _method() -> str:
    # scrypt in production; the test suite may choose a cheaper method (PASSWORD_HASH_METHOD).
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


def hash_password(password: str) -> str:
    return generate_password_hash(normalize_password(password), method=_method())


def check_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, normalize_password(password))


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("tsunagari-timing-equaliser", method=method)


def dummy_hash() -> str:
    """A hash checked when a login ID does not exist, so both paths take as long."""
    return _dummy_hash(_method())


def password_problems(password: str, login_id: str = "") -> list[str]:
    """NIST SP 800-63B: length limits, no common passwords, not the login ID. No composition rules.

    Returns message ids for the form; the caller translates them.
    """
    value = normalize_password(password or "")
    problems = []
    if len(value) < MIN_LENGTH:
        problems.append("too_short")
    elif len(value) > MAX_LENGTH:
        problems.append("too_long")
    folded = value.casefold()
    if folded in common_passwords():
        problems.append("common")
    if login_id and folded.strip() == unicodedata.normalize("NFKC", login_id).strip().casefold():
        problems.append("login_id")
    return problems
