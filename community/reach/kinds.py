"""What can be counted, and how a report names it: titles come through the policy filters, so a
report never shows the title of something the viewer may no longer see."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from community.extensions import db

CIRCLE_TOPIC = "circle_topic"
OFFICIAL_POST = "official_post"


def _circle_topics(viewer, ids: list[int]) -> dict[int, tuple[str, str]]:
    from community.circles.models import Topic
    from community.policy import visible_topics

    stmt = visible_topics(select(Topic.id, Topic.title).where(Topic.id.in_(ids)), viewer)
    return {i: (title, url_for("circles.topic", topic_id=i)) for i, title in db.session.execute(stmt)}


def _official_posts(viewer, ids: list[int]) -> dict[int, tuple[str, str]]:
    from community.official.models import OfficialPost
    from community.policy import visible_official_posts

    stmt = visible_official_posts(select(OfficialPost.id, OfficialPost.title).where(OfficialPost.id.in_(ids)), viewer)
    return {i: (title, url_for("official.post", post_id=i)) for i, title in db.session.execute(stmt)}


RESOLVERS = {CIRCLE_TOPIC: _circle_topics, OFFICIAL_POST: _official_posts}


def name_items(viewer, items) -> None:
    """Fill `title` and `url` of report TopItems the viewer may still open."""
    by_kind: dict[str, list] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    for kind, group in by_kind.items():
        resolver = RESOLVERS.get(kind)
        if resolver is None:
            continue
        found = resolver(viewer, [i.object_id for i in group])
        for item in group:
            if item.object_id in found:
                item.title, item.url = found[item.object_id]
