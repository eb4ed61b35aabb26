"""The searchable sources: one small adapter per content kind.

Each says what goes into the index, which policy filter reloads its hits, and how a hit is shown.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import partial
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import lazy_gettext as _l

from search.sources import Document, Presented, SearchSource, register

TOKYO = ZoneInfo("Asia/Tokyo")


def _day(value: date | None) -> datetime | None:
    return datetime.combine(value, time(12), tzinfo=TOKYO) if value else None


def _announcements() -> None:
    from community.announcements.models import Announcement
    from community.policy import visible_announcements

    def document(item: Announcement) -> Document:
        return Document(
            kind="announcement",
            object_id=item.id,
            source="official",
            title=item.title,
            body=f"{item.body}\n{item.department}",
            date=item.published_at,
        )

    def present(item: Announcement) -> Presented:
        return Presented(
            title=item.title,
            text=item.body,
            url=url_for("announcements.show", announcement_id=item.id),
            date=item.published_at,
            extra={"department": item.department, "emergency": item.is_emergency},
        )

    register(SearchSource("announcement", Announcement, "official", _l("Announcement"), document,
                          visible_announcements, present))


def _city_pages() -> None:
    from community.policy import visible_city_pages
    from search.citypages.models import CityPage

    def document(page: CityPage) -> Document | None:
        if page.removed_at is not None:
            return None  # gone from the city's site: out of the index too
        return Document(
            kind="citypage",
            object_id=page.id,
            source="official",
            title=page.title,
            body=f"{page.body}\n{page.department}",
            date=_day(page.page_updated_on) or page.fetched_at,
        )

    def present(page: CityPage) -> Presented:
        # Our page (text, 「このページは役に立ちましたか」, a link out); the original stays visible too.
        return Presented(
            title=page.title or page.url,
            text=page.body,
            url=url_for("citypage.show", page_id=page.id),
            date=_day(page.page_updated_on) or page.fetched_at,
            extra={"department": page.department, "original_url": page.url},
        )

    register(SearchSource("citypage", CityPage, "official", _l("City page"), document,
                          partial(visible_city_pages, page_model=CityPage), present))


def _diaries() -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from community.diaries.models import DiaryEntry
    from community.policy import visible_entries

    scopes = {"public": "public", "members": "members"}

    def document(entry: DiaryEntry) -> Document:
        return Document(
            kind="diary",
            object_id=entry.id,
            source="voices",
            title=entry.title,
            body=entry.body,
            date=entry.created_at,
            district_id=entry.author.district_id if entry.author else None,
            # friends / selected / private: only the policy can tell who reads them
            scope=scopes.get(entry.visibility, "restricted"),
        )

    def present(entry: DiaryEntry) -> Presented:
        return Presented(entry.title, entry.body, url_for("diaries.show", entry_id=entry.id), entry.created_at)

    register(SearchSource("diary", DiaryEntry, "voices", _l("Diary"), document, visible_entries, present,
                          load=lambda: select(DiaryEntry).options(joinedload(DiaryEntry.author))))


def _circle_scope(circle) -> str:
    # Public circles' content is for everyone; private and secret circles' content for members.
    return "public" if circle.visibility == "public" else f"circle:{circle.id}"


def _circles() -> None:
    from datetime import timedelta

    from sqlalchemy import inspect, select
    from sqlalchemy.orm import joinedload

    from community.circles.categories import categories, category_label
    from community.circles.models import Circle, CircleMembership, Event, Post, Topic
    from community.circles.queries import LIVELINESS_DAYS, _recent_posts
    from community.core.database import utcnow
    from community.extensions import db
    from community.policy import member_circles, visible_circles, visible_events, visible_posts
    from search.sources import register_dependent, set_categories, set_member_circles

    def circle_document(circle: Circle) -> Document:
        return Document(
            kind="circle",
            object_id=circle.id,
            source="local",
            title=circle.name,
            body=circle.description,
            date=circle.last_activity_at or circle.created_at,
            district_id=circle.district_id,
            category=circle.category,
            # Secret circles are listed to their members only; public and private ones to all.
            scope=f"circle:{circle.id}" if circle.visibility == "secret" else "public",
        )

    def circle_present(circle: Circle) -> Presented:
        return Presented(circle.name, circle.description, url_for("circles.show", circle_id=circle.id),
                         circle.last_activity_at or circle.created_at,
                         {"category": category_label(circle.category)})

    def liveliness(circles: list[Circle], viewer) -> dict:
        """盛り上がり for a page of circles in one query (the circles package's own count)."""
        if not circles:
            return {}
        recent = _recent_posts(utcnow() - timedelta(days=LIVELINESS_DAYS))
        counts = dict(db.session.execute(select(Circle.id, recent).where(Circle.id.in_([c.id for c in circles]))).all())
        return {
            c.id: {"liveliness": {"members": c.member_count, "posts_30d": counts.get(c.id, 0) or 0,
                                  "last_activity": c.last_activity_at}}
            for c in circles
        }

    register(SearchSource("circle", Circle, "local", _l("Circle"), circle_document, visible_circles, circle_present,
                          present_many=liveliness))

    def post_document(post: Post) -> Document:
        circle = post.topic.circle
        return Document(
            kind="post",
            object_id=post.id,
            source="voices",
            title=post.topic.title,
            body=post.body,
            date=post.created_at,
            district_id=circle.district_id,
            category=circle.category,
            scope=_circle_scope(circle),
        )

    def post_present(post: Post) -> Presented:
        return Presented(post.topic.title, post.body, url_for("circles.topic", topic_id=post.topic_id),
                         post.created_at, {"circle_name": post.topic.circle.name})

    register(SearchSource(
        "post", Post, "voices", _l("Circle post"), post_document, visible_posts, post_present,
        load=lambda: select(Post).options(joinedload(Post.topic).joinedload(Topic.circle)),
    ))

    def event_document(event: Event) -> Document:
        return Document(
            kind="event",
            object_id=event.id,
            source="local",
            title=event.title,
            body=f"{event.description}\n{event.place}",
            date=event.starts_at,
            district_id=event.circle.district_id,
            category=event.circle.category,
            scope=_circle_scope(event.circle),
        )

    def event_present(event: Event) -> Presented:
        return Presented(event.title, event.description, url_for("circles.event", event_id=event.id),
                         event.starts_at, {"circle_name": event.circle.name})

    register(SearchSource(
        "event", Event, "local", _l("Event"), event_document, visible_events, event_present,
        load=lambda: select(Event).options(joinedload(Event.circle)),
    ))

    # A topic's title and a circle's visibility, category and district live in its posts' and
    # events' documents: re-index those when they change.
    def changed(obj, *names) -> bool:
        state = inspect(obj)
        return state.deleted or any(state.attrs[n].history.has_changes() for n in names)

    def topic_posts(topic: Topic):
        if not changed(topic, "title"):
            return []
        return [("post", pid) for pid in db.session.scalars(select(Post.id).where(Post.topic_id == topic.id))]

    def circle_content(circle: Circle):
        # Not on every join (member_count): only what the posts' and events' documents contain.
        if not changed(circle, "visibility", "category", "district_id"):
            return []
        posts = db.session.scalars(select(Post.id).where(Post.circle_id == circle.id))
        events = db.session.scalars(select(Event.id).where(Event.circle_id == circle.id))
        return [("post", i) for i in posts] + [("event", i) for i in events]

    register_dependent(Topic, topic_posts)
    register_dependent(Circle, circle_content)
    set_member_circles(lambda viewer: set(db.session.scalars(member_circles(select(Circle.id), viewer))))
    set_categories(categories)  # asked per search: administrators edit them
    _ = CircleMembership  # membership changes need no re-index: the policy reads them at search time


def _faq() -> None:
    from sqlalchemy import inspect, select
    from sqlalchemy.orm import joinedload

    from community.extensions import db
    from community.official.models import OfficialAccount
    from community.policy import visible_faq_entries
    from community.questions.models import FaqEntry
    from search.sources import register_dependent

    def document(entry: FaqEntry) -> Document | None:
        if entry.withdrawn_at is not None:
            return None
        if entry.question is not None and entry.question.moderation_state != "visible":
            return None  # promoted from a question staff hid after a report: out with it
        return Document(
            kind="faq",
            object_id=entry.id,
            source="official",
            title=entry.title,
            body=f"{entry.answer}\n{entry.account.name}",
            date=entry.updated_at,
            category="faq",  # lets the FAQ search and suggestions ask for FAQ entries only
        )

    def present(entry: FaqEntry) -> Presented:
        return Presented(entry.title, entry.answer, url_for("questions.faq_entry", entry_id=entry.id),
                         entry.updated_at, {"department": entry.account.name})

    register(SearchSource("faq", FaqEntry, "official", _l("FAQ"), document, visible_faq_entries, present,
                          load=lambda: select(FaqEntry).options(joinedload(FaqEntry.account),
                                                                joinedload(FaqEntry.question))))

    def account_entries(account: OfficialAccount):
        # The department's name is in its entries' documents.
        state = inspect(account)
        if not (state.deleted or state.attrs["name"].history.has_changes()):
            return []
        return [("faq", i) for i in db.session.scalars(select(FaqEntry.id).where(FaqEntry.account_id == account.id))]

    register_dependent(OfficialAccount, account_entries)

    def question_entry(question):
        # Moderation hiding or restoring a question takes its FAQ entry out of the index or back.
        state = inspect(question)
        if not (state.deleted or state.attrs["moderation_state"].history.has_changes()):
            return []
        return [("faq", i) for i in db.session.scalars(select(FaqEntry.id).where(FaqEntry.question_id == question.id))]

    from community.questions.models import Question

    register_dependent(Question, question_entry)


def _official_posts() -> None:
    from sqlalchemy import inspect, select
    from sqlalchemy.orm import joinedload

    from community.extensions import db
    from community.official.models import SEARCH_LABEL, OfficialAccount, OfficialPost
    from community.policy import visible_official_posts
    from search.sources import register_dependent

    def document(post: OfficialPost) -> Document | None:
        if post.withdrawn_at is not None:
            return None  # withdrawn (取り下げ): out of the index; its page keeps the notice
        return Document(kind="official_post", object_id=post.id, source="official", title=post.title,
                        body=f"{post.body}\n{post.account.name}", date=post.created_at)

    def present(post: OfficialPost) -> Presented:
        return Presented(post.title, post.body, url_for("official.post", post_id=post.id), post.created_at,
                         {"department": post.account.name, "corrected": post.corrected_at is not None})

    register(SearchSource("official_post", OfficialPost, "official", SEARCH_LABEL, document,
                          visible_official_posts, present,
                          load=lambda: select(OfficialPost).options(joinedload(OfficialPost.account))))

    def account_posts(account: OfficialAccount):
        # The department's name is in its posts' documents: re-index them when an admin renames it.
        if not inspect(account).attrs["name"].history.has_changes():
            return []
        return [("official_post", i) for i in db.session.scalars(
            select(OfficialPost.id).where(OfficialPost.account_id == account.id))]

    register_dependent(OfficialAccount, account_posts)


def register_all() -> None:
    _announcements()
    _official_posts()
    _city_pages()
    _diaries()
    _circles()
    _faq()
