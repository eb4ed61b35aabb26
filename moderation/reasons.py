"""Report reasons, the city's rules staff cite, and the one-sentence outcomes reporters see."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from community.terms.services import citations

REPORT_REASONS = [
    ("spam", _l("Spam or advertising")),
    ("harassment", _l("Defamation or harassment")),
    ("personal_info", _l("Posting personal information")),
    ("illegal", _l("Breaking the law")),
    ("inappropriate_image", _l("Inappropriate image")),
    ("child_safety", _l("Inappropriate for children")),
    ("other", _l("Other")),
]
REPORT_REASON_LABELS = dict(REPORT_REASONS)
NOTE_REQUIRED_REASONS = frozenset({"illegal", "other"})
# Put first in the queue whatever their count: harm to a person happens while the item is up.
URGENT_REASONS = frozenset({"personal_info", "child_safety"})
NOTE_MAX = 1000
APPEAL_MAX = 2000
APPEAL_DAYS = 14

NO_VIOLATION = ("no_violation", _l("No breach of the rules found"))
# Staff cite the items (号) of the city's current 利用規約 (community/terms). Only until a city
# publishes its terms are these placeholders offered (or MODERATION_RULES from its configuration).
DEFAULT_RULES = [
    NO_VIOLATION,
    ("harassment", _l("Rule 5(1): defaming or harassing others")),
    ("personal_info", _l("Rule 5(2): publishing someone's personal information")),
    ("commercial", _l("Rule 5(3): advertising, canvassing or commercial solicitation")),
    ("illegal", _l("Rule 5(4): acts that break the law")),
    ("obscene", _l("Rule 5(5): obscene, violent or cruel material")),
    ("minors", _l("Rule 5(6): material harmful to children")),
    ("impersonation", _l("Rule 5(7): impersonating someone else")),
    ("other", _l("Rule 5(8): other conduct the city judges inappropriate")),
]

ACTION_LABELS = {
    "dismiss": _l("No action needed"),
    "hide": _l("Hide"),
    "delete": _l("Delete"),
    "warn": _l("Warn the author"),
    "suspend": _l("Suspend the author"),
    "restore": _l("Restore"),
}

# 公開範囲, as in GLOSSARY.md, for showing staff who could see a reported item.
VISIBILITY_LABELS = {
    "public": _l("Everyone"),
    "members": _l("Members only"),
    "friends": _l("Friends only"),
    "selected": _l("Selected members"),
    "private": _l("Only me"),
}

REPORT_STATUS_LABELS = {
    "open": _l("Received"),
    "actioned": _l("Action taken"),
    "dismissed": _l("No action needed"),
}

# What a reporter learns: what happened to the item, never the details of a sanction.
OUTCOME_SENTENCES = {
    "dismiss": _l("Staff checked it and found no breach of the rules, so nothing was changed."),
    "restore": _l("Staff checked it and found no breach of the rules, so it is shown again."),
    "hide": _l("Staff checked it and hid it from other members."),
    "delete": _l("Staff checked it and deleted it."),
    "warn": _l("Staff checked it and took action with the author under the rules."),
    "suspend": _l("Staff checked it and took action with the author under the rules."),
}

# What the author is told, with the item and the rule cited.
AUTHOR_SENTENCES = {
    "hide": _l("Your %(kind)s \"%(item)s\" was hidden from other members."),
    "delete": _l("Your %(kind)s \"%(item)s\" was deleted."),
    "warn": _l("You received a warning about your %(kind)s \"%(item)s\"."),
    "suspend": _l("Your account was suspended because of your %(kind)s \"%(item)s\"."),
    "restore": _l("Your %(kind)s \"%(item)s\" is shown again."),
    "dismiss": _l("Your %(kind)s \"%(item)s\" was checked and is shown again."),
    "under_review": _l("Your %(kind)s \"%(item)s\" was reported by several members and is hidden while staff review it."),
}


def rules() -> list[tuple[str, str]]:
    """(code, text shown to the author): the current terms' articles, e.g. ("terms:2:5-1",
    "利用規約(第2版)第5条第1号: ..."), so an action keeps the version and text it cited."""
    if cited := citations():
        return [(NO_VIOLATION[0], str(NO_VIOLATION[1])), *cited]
    configured = current_app.config.get("MODERATION_RULES")
    return [(code, str(label)) for code, label in (configured or DEFAULT_RULES)]


def rule_label(code: str) -> str:
    return dict(rules()).get(code, code)
