"""Who may open reach analytics (リーチ分析), and whose own reading does not count.

- An official account's reach: the staff an admin named as its members (`can_act_as_official`)
  and admins (who manage every department account), also after it was deactivated for admins.
- A circle's reach: its admins and owner (`can_admin_circle`; staff for official circles).
- Nobody else: ordinary members, supporters, staff of other departments, other circles' admins.
The same people's own page views are not counted as reach (they run the account).
"""

from __future__ import annotations

from sqlalchemy import select

from community.policy.accounts import Capability, can


def _is_official_account(owner) -> bool:
    return getattr(owner, "__tablename__", None) == "official_account"


def _is_circle(owner) -> bool:
    return getattr(owner, "__tablename__", None) == "circle"


def can_view_reach(viewer, owner) -> bool:
    """May the viewer open the reach page of `owner` (an OfficialAccount or a Circle)?"""
    if owner is None:
        return False
    if _is_official_account(owner):
        from community.policy.official import can_act_as_official

        return can(viewer, Capability.configure_site) or can_act_as_official(viewer, owner)
    if _is_circle(owner):
        from community.policy.circles import can_admin_circle

        return can_admin_circle(viewer, owner)
    return False


def reach_owners_for(viewer) -> tuple[list, list]:
    """(official accounts, circles) whose reach the viewer may open, for the /reach index."""
    from community.circles.models import Circle
    from community.extensions import db
    from community.official.models import OfficialAccount
    from community.policy.circles import admin_circle_ids
    from community.policy.official import official_accounts_for

    if can(viewer, Capability.configure_site):
        accounts = list(db.session.scalars(select(OfficialAccount).order_by(OfficialAccount.name)))
    else:
        accounts = list(db.session.scalars(official_accounts_for(viewer)))
    circles = [
        c
        for c in db.session.scalars(select(Circle).where(Circle.id.in_(admin_circle_ids(viewer))).order_by(Circle.name))
        if can_view_reach(viewer, c)
    ]
    return accounts, circles
