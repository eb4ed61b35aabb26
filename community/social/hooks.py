"""Registries other packages fill so that withdrawal (退会) and "download my data" cover their content.

    app.extensions["tsunagari.withdraw"]: callables (user, keep: bool) -> None
    app.extensions["tsunagari.export"]:   callables (user) -> (section_title, list_of_dicts)

Register from your package's init_app with the helpers below (or append to the list yourself).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

WITHDRAW = "tsunagari.withdraw"
EXPORT = "tsunagari.export"

WithdrawHook = Callable[[Any, bool], None]
ExportSection = Callable[[Any], tuple[str, list[dict[str, Any]]]]


def register_withdraw_hook(app: Flask, hook: WithdrawHook) -> None:
    """`hook(user, keep)` deletes the member's content (keep=False) or detaches it from their
    personal data (keep=True: it then shows as 「退会したメンバー」). It flushes, never commits;
    it runs before the account is anonymised, in the same transaction."""
    app.extensions.setdefault(WITHDRAW, []).append(hook)


def register_export_section(app: Flask, section: ExportSection) -> None:
    """`section(user)` returns a title and rows of the member's *own* data (JSON-able values)."""
    app.extensions.setdefault(EXPORT, []).append(section)


def withdraw_hooks() -> list[WithdrawHook]:
    return list(current_app.extensions.get(WITHDRAW, []))


def export_sections() -> list[ExportSection]:
    return list(current_app.extensions.get(EXPORT, []))
