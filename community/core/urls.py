"""URL helpers: safe redirect targets, and the one bounded parser for ids in paths, forms and query strings."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

# Ids are Integer columns: 32-bit on PostgreSQL, so nothing larger can name a row (and a larger
# number overflows SQLite's and PostgreSQL's integers instead of simply finding nothing).
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def safe_next(target: str | None) -> str | None:
    """Only same-site paths may be redirect targets (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def parse_id(value) -> int:
    """An id, page or other count from a form or query string: ASCII digits from 0 to MAX_ID.

    Anything else raises ValueError (TypeError for None), so `request.args.get(name, default,
    type=parse_id)` falls back to the default and a WTForms `coerce=parse_id` field reports an error.
    """
    if value is None or isinstance(value, bool):
        raise TypeError("not an id")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value)
    else:
        raise ValueError(f"not an id: {value!r}")
    if not 0 <= number <= MAX_ID:
        raise ValueError(f"id out of range: {number}")
    return number


class IdConverter(IntegerConverter):
    """`<int:...>` in every blueprint: ASCII digits up to MAX_ID, else the rule does not match (404)."""

    regex = r"[0-9]+"  # \d would also take full-width digits such as １２

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


class TextConverter(UnicodeConverter):
    """`<name>` and `<string:name>`: no control characters (PostgreSQL refuses a NUL in any text)."""

    def to_python(self, value: str) -> str:
        if any(ord(char) < 32 or ord(char) == 127 for char in value):
            raise ValidationError()
        return value


def init_app(app: Flask) -> None:
    # Before any blueprint adds its rules: a rule takes its converters when it is added.
    app.url_map.converters.update(int=IdConverter, default=TextConverter, string=TextConverter)
