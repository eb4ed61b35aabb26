"""The city's official content: announcements (お知らせ) and imported city pages (市のページ).

Both are public. An announcement shows from its publication until it expires or is withdrawn;
a city page shows until the crawler finds it gone (404/410) and sets `removed_at`.
"""

from __future__ import annotations

from sqlalchemy import and_, or_
from sqlalchemy.sql import ColumnElement, Select

from community.core.database import utcnow


def _announcement_model():
    # Imported lazily: the policy package must not import feature packages at import time.
    from community.announcements.models import Announcement

    return Announcement


def current_announcement_clause() -> ColumnElement[bool]:
    a = _announcement_model()
    now = utcnow()
    return and_(
        a.withdrawn_at.is_(None),
        a.published_at <= now,
        or_(a.expires_at.is_(None), a.expires_at > now),
    )


def visible_announcements(stmt: Select, viewer) -> Select:
    return stmt.where(current_announcement_clause())


def can_view_announcement(viewer, item) -> bool:
    if item is None or item.withdrawn_at is not None:
        return False
    now = utcnow()
    return item.published_at <= now and (item.expires_at is None or item.expires_at > now)


def can_open_announcement(viewer, item) -> bool:
    """Its own page: once published, anyone, withdrawn and ended ones too (the page says so and
    why, for whoever follows an old link); before publication, only those who may manage it."""
    if item is None:
        return False
    if item.published_at <= utcnow():
        return True
    return can_manage_announcement(viewer, item)


def can_publish_announcement(viewer, account, *, emergency: bool = False) -> bool:
    """お知らせ: the account's members; 緊急情報: the members of an account allowed to issue them."""
    return can_issue_emergency(viewer, account) if emergency else can_act_as_official(viewer, account)


def can_manage_announcement(viewer, item) -> bool:
    """See it in the staff list and withdraw it: the department's members, or an admin (who
    answers for every official account, and for notices from before department accounts)."""
    if item is None:
        return False
    if item.official_account is not None and can_act_as_official(viewer, item.official_account):
        return True
    return can_manage_official_accounts(viewer)


def can_withdraw_announcement(viewer, item) -> bool:
    return item is not None and item.withdrawn_at is None and can_manage_announcement(viewer, item)


def can_renew_announcement(viewer, item) -> bool:
    """Extending an emergency notice is issuing it again: only its emergency department's members."""
    if item is None or not item.is_emergency or item.withdrawn_at is not None:
        return False
    return item.official_account is not None and can_issue_emergency(viewer, item.official_account)


def managed_announcements(stmt: Select, viewer) -> Select:
    """SQL: the announcements the viewer manages (staff list): their accounts' ones; admins all."""
    from sqlalchemy import false, select

    from community.policy.accounts import Capability, can

    if can_manage_official_accounts(viewer):
        return stmt
    if not can(viewer, Capability.publish_official):
        return stmt.where(false())
    a = _announcement_model()
    account, member = _official_models()
    own = (
        select(member.account_id)
        .join(account, account.id == member.account_id)
        .where(member.user_id == viewer.id, account.deactivated_at.is_(None))
    )
    return stmt.where(a.official_account_id.in_(own))


def visible_city_pages(stmt: Select, viewer, page_model) -> Select:
    """`page_model` is search.citypages' CityPage, passed in because community never imports search."""
    return stmt.where(page_model.removed_at.is_(None))


def can_view_city_page(viewer, page) -> bool:
    return page is not None and page.removed_at is None


# --- Official department accounts (公式アカウント) ---------------------------------------------

def _official_models():
    from community.official.models import OfficialAccount, OfficialAccountMember

    return OfficialAccount, OfficialAccountMember


def can_manage_official_accounts(viewer) -> bool:
    """Only admins create department accounts and name who may post as them."""
    from community.policy.accounts import Capability, can

    return can(viewer, Capability.configure_site)


def can_act_as_official(viewer, account) -> bool:
    """May the viewer post, answer or publish as this department account?

    Only staff (or admins) whom an admin named as the account's members, and only while both the
    account and the person are active. Being staff alone is not enough (Meguro: the department
    posts directly, but only that department).
    """
    if account is None or not account.is_active:
        return False
    from community.policy.accounts import Capability, can

    if not can(viewer, Capability.publish_official):
        return False
    return any(m.user_id == viewer.id for m in account.members)


def can_issue_emergency(viewer, account) -> bool:
    return can_act_as_official(viewer, account) and bool(account.may_issue_emergencies)


def official_accounts_for(viewer) -> Select:
    """SQL: the active accounts the viewer may act as (for 'post as' pickers)."""
    from sqlalchemy import select

    from community.policy.accounts import Capability, can

    account, member = _official_models()
    stmt = select(account).where(account.deactivated_at.is_(None))
    if not can(viewer, Capability.publish_official):
        return stmt.where(account.id.is_(None))
    return stmt.where(
        account.id.in_(select(member.account_id).where(member.user_id == viewer.id))
    ).order_by(account.name)


def _post_models():
    from community.official.models import OfficialFollow, OfficialPost, OfficialPostReaction

    return OfficialPost, OfficialFollow, OfficialPostReaction


def can_post_as_official(viewer, account) -> bool:
    """Posting as a department: the same rule as acting as it."""
    return can_act_as_official(viewer, account)


def can_correct_official_post(viewer, post) -> bool:
    """A correction (訂正) is made by the department's own members, and never to a withdrawn post."""
    return post is not None and post.withdrawn_at is None and can_act_as_official(viewer, post.account)


def can_withdraw_official_post(viewer, post) -> bool:
    """The department's members, or an admin (who answers for every official account)."""
    if post is None or post.withdrawn_at is not None:
        return False
    return can_act_as_official(viewer, post.account) or can_manage_official_accounts(viewer)


def can_view_official_post(viewer, post) -> bool:
    """Official posts are public, withdrawn ones too: their page shows the withdrawal notice."""
    return post is not None


def visible_official_posts(stmt: Select, viewer, *, include_withdrawn: bool = False) -> Select:
    """Lists, feeds and search: every post is public; withdrawn ones only where a list shows
    their notice (the account's own page), never in feeds or search."""
    post, _follow, _reaction = _post_models()
    return stmt if include_withdrawn else stmt.where(post.withdrawn_at.is_(None))


def visible_official_post_ids(viewer) -> Select:
    """Notification targets: a withdrawn post's page still opens (it shows the notice)."""
    from sqlalchemy import select

    post, _follow, _reaction = _post_models()
    return visible_official_posts(select(post.id), viewer, include_withdrawn=True)


def official_notification_recipients(account) -> Select:
    """SQL: user ids told of the account's new posts and emergency notices: its followers who
    left the notice on, while the account is active. Both targets are public, so every follower
    may open them (withdrawn members are left out where the rows are written)."""
    from sqlalchemy import select

    _post, follow, _reaction = _post_models()
    stmt = select(follow.user_id).where(follow.account_id == account.id, follow.notify.is_(True))
    return stmt if account.is_active else stmt.where(follow.user_id.is_(None))


def openable_announcement_ids(viewer) -> Select:
    """Notification targets: published announcements, whose page anyone may open
    (`can_open_announcement`), withdrawn and ended ones too (the page says so and why)."""
    from sqlalchemy import select

    a = _announcement_model()
    return select(a.id).where(a.published_at <= utcnow())


def can_follow_official(viewer, account) -> bool:
    """Verified members (children included: following is reading) follow active accounts."""
    from community.policy.accounts import Capability, can

    return account is not None and account.is_active and can(viewer, Capability.read_members)


def can_react_to_official_post(viewer, post) -> bool:
    """「参考になった」 is a reader's signal, not posting, so children may press it too."""
    from community.policy.accounts import Capability, can

    return post is not None and post.withdrawn_at is None and can(viewer, Capability.read_members)


def followed_official_posts(stmt: Select, viewer) -> Select:
    """SQL: the posts (not withdrawn) of the active accounts the viewer follows, for the home feed."""
    from sqlalchemy import false, select

    account, _member = _official_models()
    post, follow, _reaction = _post_models()
    uid = getattr(viewer, "id", None) if getattr(viewer, "is_authenticated", False) else None
    if uid is None:
        return stmt.where(false())
    followed = select(follow.account_id).join(account, account.id == follow.account_id).where(
        follow.user_id == uid, account.deactivated_at.is_(None)
    )
    return visible_official_posts(stmt, viewer).where(post.account_id.in_(followed))
