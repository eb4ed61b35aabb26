"""Kiosk screens for the community features, added only for the packages that exist.

Each flow calls its package's queries, services and policy; the kiosk adds only large, simple screens.
Diaries (日記を読む / 日記を書く) live in kiosk/diary_flow.py.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_login import current_user

from kiosk.views import bp, kiosk_login_required

SEARCH_MAX_LENGTH = 100

try:  # circles
    from community.circles import queries as circle_queries
    from community.circles.models import Circle, Topic
    from community.policy import circles as circle_policy
except ImportError:  # pragma: no cover - the circles package is optional for the kiosk
    circle_queries = None

try:  # diaries
    from kiosk import diary_flow  # noqa: F401 - registers kiosk.diaries and kiosk.diary_write
except ImportError:  # pragma: no cover - the diaries package is optional for the kiosk
    diary_flow = None

try:  # search
    from search import services as search_services
    from search.backends import SearchUnavailable
except ImportError:  # pragma: no cover
    search_services = None


if circle_queries is not None:
    from community.extensions import db

    @bp.get("/circles")
    @kiosk_login_required
    def circles():
        mine = circle_queries.my_circles(current_user)
        mine_ids = {row.circle.id for row in mine}
        others = [
            row for row in circle_queries.circle_listing(current_user, sort="lively")
            if row.circle.id not in mine_ids
        ][:20]
        return render_template("kiosk/circles.html", mine=mine, others=others)

    @bp.get("/circles/<int:circle_id>")
    @kiosk_login_required
    def circle(circle_id: int):
        item = db.session.get(Circle, circle_id)
        if not circle_policy.can_view_circle(current_user, item):
            abort(404)
        readable = circle_policy.can_read_circle_content(current_user, item)
        topics = circle_queries.circle_topics(current_user, item, limit=30) if readable else []
        return render_template("kiosk/circle.html", circle=item, readable=readable, topics=topics)

    @bp.get("/circles/topics/<int:topic_id>")
    @kiosk_login_required
    def circle_topic(topic_id: int):
        topic = db.session.get(Topic, topic_id)
        if not circle_policy.can_view_topic(current_user, topic):
            abort(404)
        posts = circle_queries.topic_posts(current_user, topic)
        photos = circle_queries.photos_by_post([p.id for p in posts])
        return render_template("kiosk/topic.html", circle=topic.circle, topic=topic, posts=posts, photos=photos)


if search_services is not None:

    @bp.get("/search")
    def search():
        """One box, no filters: the search service applies the viewer's permissions to every result."""
        q = (request.args.get("q") or "").strip()[:SEARCH_MAX_LENGTH]
        outcome, unavailable = None, False
        if q:
            try:
                outcome = search_services.search(q, current_user, page=1)
            except SearchUnavailable as exc:
                current_app.logger.warning("kiosk search unavailable: %s", exc)
                unavailable = True
        status = 503 if unavailable else 200
        return render_template("kiosk/search.html", q=q, outcome=outcome, unavailable=unavailable), status
