"""What diaries plug into: photo and notification visibility, withdrawal, data export."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.diaries.models import (
    PHOTO_OWNER,
    AudienceList,
    AudienceListMember,
    DiaryComment,
    DiaryEntry,
    DiaryLike,
)
from community.extensions import db


def _describe_comments(kind: str):
    def describe(notifications):
        ids = {n.target_id for n in notifications}
        comments = {
            c.id: c for c in db.session.scalars(
                select(DiaryComment).where(DiaryComment.id.in_(ids)).options(selectinload(DiaryComment.entry))
            )
        }
        out = {}
        for n in notifications:
            comment = comments.get(n.target_id)
            if comment is None:
                continue
            who = n.actor.nickname if n.actor else _("A member")
            if kind == "diary_comment":
                text = _("%(name)s commented on your diary 「%(title)s」.", name=who, title=comment.entry.title)
            else:
                text = _("%(name)s also commented on the diary 「%(title)s」 you commented on.", name=who,
                         title=comment.entry.title)
            out[n.id] = (text, url_for("diaries.show", entry_id=comment.entry_id, _anchor=f"comment-{comment.id}"))
        return out

    return describe


def withdraw(user, keep: bool) -> None:
    """Diaries are personal: they always go. Comments on others' entries stay only when `keep`
    (they then show as 「退会したメンバー」, which the social package arranges)."""
    from community.diaries.services import delete_entries

    delete_entries(db.session.scalars(select(DiaryEntry.id).where(DiaryEntry.author_id == user.id)).all())
    db.session.execute(DiaryLike.__table__.delete().where(DiaryLike.user_id == user.id))
    db.session.execute(AudienceListMember.__table__.delete().where(AudienceListMember.user_id == user.id))
    db.session.execute(AudienceList.__table__.delete().where(AudienceList.owner_id == user.id))
    if not keep:
        db.session.execute(DiaryComment.__table__.delete().where(DiaryComment.author_id == user.id))
    db.session.flush()


def export(user):
    """The member's own entries and comments: their own data, whatever its visibility."""
    from community.diaries.services import photos_for

    entries = db.session.scalars(
        select(DiaryEntry).where(DiaryEntry.author_id == user.id).order_by(DiaryEntry.created_at)
    ).all()
    photos = photos_for([e.id for e in entries])
    rows = [
        {
            "type": "diary_entry",
            "title": e.title,
            "body": e.body,
            "visibility": e.visibility,
            "created_at": e.created_at.isoformat(),
            "updated_at": e.updated_at.isoformat(),
            "photos": [url_for("media.photo", token=p.token, size="display", _external=True)
                       for p in photos.get(e.id, [])],
        }
        for e in entries
    ]
    for c in db.session.scalars(
        select(DiaryComment).where(DiaryComment.author_id == user.id).order_by(DiaryComment.created_at)
    ):
        rows.append({"type": "diary_comment", "entry_id": c.entry_id, "body": c.body,
                     "created_at": c.created_at.isoformat()})
    return _("Diaries and comments"), rows


def register(app: Flask) -> None:
    from community.notifications import register_kind
    from community.policy import (
        can_view_entry_id,
        register_notification_target,
        register_photo_owner,
        visible_comment_ids,
        visible_entry_ids,
    )

    register_photo_owner(PHOTO_OWNER, can_view_entry_id)
    register_notification_target("diary_comment", visible_comment_ids)
    register_notification_target("diary_entry", visible_entry_ids)
    register_kind(app, "diary_comment", _describe_comments("diary_comment"))
    register_kind(app, "diary_reply", _describe_comments("diary_reply"))
    try:
        from community.social.hooks import register_export_section, register_withdraw_hook
    except ImportError:  # the registries are plain lists in app.extensions either way
        app.extensions.setdefault("tsunagari.withdraw", []).append(withdraw)
        app.extensions.setdefault("tsunagari.export", []).append(export)
    else:
        register_withdraw_hook(app, withdraw)
        register_export_section(app, export)



