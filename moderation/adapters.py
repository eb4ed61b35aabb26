"""Adapters for the content kinds that have landed: how moderation loads, shows and changes them.

Each adapter asks the content package's own policy (`can_view_*`, `visible_*`); nothing here
restates a visibility rule. A kind whose package has not landed is simply not registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, render_template, url_for
from markupsafe import Markup
from sqlalchemy import select, update

from community.extensions import db
from community.policy import ModerationState, visible_state
from moderation.registry import PatrolItem, ReportableKind, register_kind


def _sql_kind(
    *,
    name: str,
    label,
    model,
    author_attr: str,
    can_view: Callable[[Any, Any], bool],
    visible_filter: Callable | None,
    summary: Callable[[Any], str],
    url: Callable[[Any], str | None],
    context: Callable[[Any], dict] = lambda item: {},
) -> ReportableKind:
    author_column = getattr(model, author_attr)

    def load(target_id: int):
        return db.session.get(model, target_id)

    def load_many(ids):
        return {obj.id: obj for obj in db.session.scalars(select(model).where(model.id.in_(list(ids))))}

    def set_state(obj, state: str) -> None:
        obj.moderation_state = state

    def hide_all_by_author(author_id: int) -> int:
        result = db.session.execute(
            update(model)
            .where(author_column == author_id, visible_state(model.moderation_state))
            .values(moderation_state=ModerationState.hidden.value)
            .execution_options(synchronize_session="fetch")
        )
        return result.rowcount or 0

    def render(obj) -> Markup:
        # render_template autoescapes; Markup only stops a second escaping in the case page.
        return Markup(render_template(f"moderation/items/{name}.html", item=obj, **context(obj)))  # noqa: S704

    patrol = None
    if visible_filter is not None:

        def patrol(viewer, limit: int) -> list[PatrolItem]:
            # The content kind's own SQL filter with the supporter as viewer; only what is shown to
            # others (not the supporter's own hidden items), and never their own content.
            stmt = visible_filter(select(model), viewer).where(
                visible_state(model.moderation_state), author_column.is_distinct_from(viewer.id)
            )
            rows = db.session.scalars(stmt.order_by(model.created_at.desc()).limit(limit))
            return [
                PatrolItem(name, obj.id, getattr(obj, author_attr), obj.created_at, summary(obj), url(obj))
                for obj in rows
            ]

    return ReportableKind(
        name=name, label=label, load=load, load_many=load_many, author_id=lambda obj: getattr(obj, author_attr),
        can_view=can_view, summary=summary, render=render, url=url,
        get_state=lambda obj: obj.moderation_state, set_state=set_state,
        hide_all_by_author=hide_all_by_author, patrol=patrol,
    )


def _circle_kinds() -> list[ReportableKind]:
    from flask_babel import lazy_gettext as _l

    from community import policy
    from community.circles.models import Circle, Event, Post, Topic

    def thread(post) -> dict:
        posts = db.session.scalars(
            select(Post).where(Post.topic_id == post.topic_id).order_by(Post.created_at, Post.id)
        ).all()
        index = next((i for i, p in enumerate(posts) if p.id == post.id), 0)
        return {"topic": post.topic, "circle": post.topic.circle, "posts": posts[max(index - 5, 0): index + 6]}

    return [
        _sql_kind(
            name="circle", label=_l("circle"), model=Circle, author_attr="created_by_id",
            can_view=policy.can_view_circle, visible_filter=policy.visible_circles,
            summary=lambda c: c.name, url=lambda c: url_for("circles.show", circle_id=c.id),
        ),
        _sql_kind(
            name="circle_topic", label=_l("circle topic"), model=Topic, author_attr="author_id",
            can_view=policy.can_view_topic, visible_filter=policy.visible_topics,
            summary=lambda t: t.title, url=lambda t: url_for("circles.topic", topic_id=t.id),
            context=lambda t: {"circle": t.circle},
        ),
        _sql_kind(
            name="circle_post", label=_l("circle post"), model=Post, author_attr="author_id",
            can_view=policy.can_view_post, visible_filter=policy.visible_posts,
            summary=lambda p: p.body, url=lambda p: url_for("circles.topic", topic_id=p.topic_id, _anchor=f"post-{p.id}"),
            context=thread,
        ),
        _sql_kind(
            name="circle_event", label=_l("event"), model=Event, author_attr="created_by_id",
            can_view=policy.can_view_event, visible_filter=policy.visible_events,
            summary=lambda e: e.title, url=lambda e: url_for("circles.event", event_id=e.id),
            context=lambda e: {"circle": e.circle},
        ),
    ]


def _diary_kinds() -> list[ReportableKind]:
    from flask_babel import lazy_gettext as _l

    from community import policy
    from community.diaries.models import DiaryComment, DiaryEntry

    def can_view_comment(viewer, comment) -> bool:
        stmt = select(DiaryComment.id).where(
            DiaryComment.id == comment.id, DiaryComment.id.in_(policy.visible_comment_ids(viewer))
        )
        return db.session.scalar(stmt) is not None

    def visible_comments(stmt, viewer):
        return stmt.where(DiaryComment.id.in_(policy.visible_comment_ids(viewer)))

    def thread(comment) -> dict:
        comments = db.session.scalars(
            select(DiaryComment).where(DiaryComment.entry_id == comment.entry_id)
            .order_by(DiaryComment.created_at, DiaryComment.id)
        ).all()
        index = next((i for i, c in enumerate(comments) if c.id == comment.id), 0)
        return {"entry": comment.entry, "comments": comments[max(index - 5, 0): index + 6]}

    return [
        _sql_kind(
            name="diary_entry", label=_l("diary entry"), model=DiaryEntry, author_attr="author_id",
            can_view=policy.can_view_entry, visible_filter=policy.visible_entries,
            summary=lambda e: f"{e.title} {e.body}", url=lambda e: url_for("diaries.show", entry_id=e.id),
        ),
        _sql_kind(
            name="diary_comment", label=_l("diary comment"), model=DiaryComment, author_attr="author_id",
            can_view=can_view_comment, visible_filter=visible_comments,
            summary=lambda c: c.body,
            url=lambda c: url_for("diaries.show", entry_id=c.entry_id, _anchor=f"comment-{c.id}"),
            context=thread,
        ),
    ]


def _profile_kinds() -> list[ReportableKind]:
    """Profiles have no moderation_state: staff warn or suspend the member instead."""
    from flask_babel import lazy_gettext as _l
    from flask_login import current_user

    from community import policy
    from community.accounts.models import User

    def render(user) -> Markup:
        fields = policy.visible_profile_fields(current_user, user)
        return Markup(render_template("moderation/items/profile.html", item=user, fields=fields))  # noqa: S704

    return [
        ReportableKind(
            name="profile", label=_l("profile"), load=lambda i: db.session.get(User, i),
            author_id=lambda u: u.id, can_view=policy.can_view_profile, summary=lambda u: u.nickname,
            render=render, url=lambda u: url_for("social.profile", user_id=u.id),
            get_state=lambda u: ModerationState.visible.value, set_state=lambda u, s: None,
            is_deleted=lambda u: u.status == "withdrawn", has_state=False,
        )
    ]


def _question_kinds() -> list[ReportableKind]:
    """A question to the city, reported with its department's answers: the answers are shown with
    it in the case, and hiding it hides the whole thread (answers are only ever shown under their
    question; a wrong answer is corrected by the department, 訂正)."""
    from flask_babel import lazy_gettext as _l

    from community import policy
    from community.questions.models import Question

    return [
        _sql_kind(
            name="city_question", label=_l("question to the city"), model=Question, author_attr="asker_id",
            can_view=policy.can_view_question, visible_filter=policy.visible_questions,
            summary=lambda q: f"{q.title} {q.body}", url=lambda q: url_for("questions.show", question_id=q.id),
            context=lambda q: {"answers": q.answers, "account": q.account},
        ),
    ]


def register_landed_kinds(app: Flask) -> None:
    for factory in (_diary_kinds, _circle_kinds, _profile_kinds, _question_kinds):
        try:
            found = factory()
        except (ImportError, AttributeError):  # the content package has not landed (yet)
            continue
        for kind in found:
            register_kind(app, kind)
