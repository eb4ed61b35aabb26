"""Who edits the 利用規約 and プライバシーポリシー: administrators, as for site settings."""

from __future__ import annotations

from community.policy.accounts import Capability, can


def can_edit_terms(viewer) -> bool:
    return can(viewer, Capability.configure_site)
