"""Locale choice and Japanese-style dates (2026年11月22日, with the era where the city shows it)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, request, session
from flask_babel import get_locale

TOKYO = ZoneInfo("Asia/Tokyo")

# (first day, era name); Japan's eras since 1868.
ERAS = [
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
    (date(1912, 7, 30), "大正"),
    (date(1868, 1, 25), "明治"),
]


def select_locale() -> str:
    langs = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") if request else None
    if chosen in langs:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in langs:
        return session["lang"]
    # Japanese first: the browser's wish for English is honoured only when it does not also accept Japanese.
    best = request.accept_languages.best_match(langs, default="ja") if request else "ja"
    accepted = [lang.split("-")[0].lower() for lang, _q in request.accept_languages] if request else []
    return "ja" if "ja" in accepted else best


def japanese_era(d: date) -> str:
    """令和8年 for 2026; the first year is written 元年."""
    for start, name in ERAS:
        if d >= start:
            year = d.year - start.year + 1
            return f"{name}{'元' if year == 1 else year}年"
    return f"{d.year}年"


def to_local(value: datetime | date) -> date | datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(TOKYO)
    return value


def _is_japanese() -> bool:
    loc = get_locale()
    return loc is None or loc.language == "ja"


def format_date(value: datetime | date | None, era: bool = False) -> str:
    if value is None:
        return ""
    d = to_local(value)
    if _is_japanese():
        text = f"{d.year}年{d.month}月{d.day}日"
        if era and current_app.config.get("SHOW_ERA"):
            text += f"（{japanese_era(d if isinstance(d, date) and not isinstance(d, datetime) else d.date())}）"
        return text
    return f"{d.day} {d.strftime('%B')} {d.year}"


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    d = to_local(value)
    if _is_japanese():
        return f"{d.year}年{d.month}月{d.day}日 {d.hour}:{d.minute:02d}"
    return f"{d.day} {d.strftime('%B')} {d.year} {d.hour}:{d.minute:02d}"
