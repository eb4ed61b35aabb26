"""What official accounts plug into: notifications about corrections and withdrawals, withdrawal
(退会) of a follower, and the member's data export."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from community.extensions import db
from community.official.models import OfficialAccount, OfficialFollow, OfficialPost, OfficialPostReaction


def _describe(kind: str):
    def describe(notifications):
        ids = {n.target_id for n in notifications}
        posts = {p.id: p for p in db.session.scalars(
            select(OfficialPost).where(OfficialPost.id.in_(ids)).options(selectinload(OfficialPost.account))
        )}
        out = {}
        for n in notifications:
            post = posts.get(n.target_id)
            if post is None:
                continue
            if kind == "official_correction":
                text = _("%(account)s corrected 「%(title)s」, a post you found helpful.", account=post.account.name,
                         title=post.title)
                url = url_for("official.post", post_id=post.id, _anchor="corrections")
            else:
                text = _("%(account)s withdrew 「%(title)s」, a post you found helpful.", account=post.account.name,
                         title=post.title)
                url = url_for("official.post", post_id=post.id)
            out[n.id] = (text, url)
        return out

    return describe


def _describe_new_posts(notifications):
    ids = {n.target_id for n in notifications}
    posts = {p.id: p for p in db.session.scalars(
        select(OfficialPost).where(OfficialPost.id.in_(ids)).options(selectinload(OfficialPost.account))
    )}
    out = {}
    for n in notifications:
        post = posts.get(n.target_id)
        if post is not None:
            out[n.id] = (_("%(account)s posted 「%(title)s」.", account=post.account.name, title=post.title),
                         url_for("official.post", post_id=post.id))
    return out


def _describe_emergencies(notifications):
    from community.announcements.models import Announcement

    ids = {n.target_id for n in notifications}
    items = {a.id: a for a in db.session.scalars(select(Announcement).where(Announcement.id.in_(ids)))}
    out = {}
    for n in notifications:
        item = items.get(n.target_id)
        if item is not None:
            out[n.id] = (_("Emergency notice from %(account)s: 「%(title)s」", account=item.source_name,
                           title=item.title),
                         url_for("announcements.show", announcement_id=item.id))
    return out


def withdraw(user, keep: bool) -> None:
    """Follows and 「参考になった」 are personal signals: they go with the member."""
    db.session.execute(delete(OfficialFollow).where(OfficialFollow.user_id == user.id))
    db.session.execute(delete(OfficialPostReaction).where(OfficialPostReaction.user_id == user.id))
    db.session.flush()


def export(user):
    rows = [
        {"type": "official_follow", "account": name, "since": since.isoformat()}
        for name, since in db.session.execute(
            select(OfficialAccount.name, OfficialFollow.created_at)
            .join(OfficialFollow, OfficialFollow.account_id == OfficialAccount.id)
            .where(OfficialFollow.user_id == user.id).order_by(OfficialFollow.created_at)
        )
    ]
    rows += [
        {"type": "official_helpful", "post": title, "at": at.isoformat()}
        for title, at in db.session.execute(
            select(OfficialPost.title, OfficialPostReaction.created_at)
            .join(OfficialPostReaction, OfficialPostReaction.post_id == OfficialPost.id)
            .where(OfficialPostReaction.user_id == user.id).order_by(OfficialPostReaction.created_at)
        )
    ]
    return _("Official accounts you follow"), rows


def register(app: Flask) -> None:
    from community.notifications import register_kind
    from community.policy import (
        openable_announcement_ids,
        register_notification_target,
        visible_official_post_ids,
    )
    from community.social.hooks import register_export_section, register_withdraw_hook

    register_notification_target("official_post", visible_official_post_ids)
    register_kind(app, "official_correction", _describe("official_correction"))
    register_kind(app, "official_withdrawal", _describe("official_withdrawal"))
    # Followers hear of new posts and emergency notices (written in bulk by services.notify_followers).
    register_notification_target("announcement", openable_announcement_ids)
    register_kind(app, "official_new_post", _describe_new_posts)
    register_kind(app, "official_emergency", _describe_emergencies)
    register_withdraw_hook(app, withdraw)
    register_export_section(app, export)
