"""Who reads a diary entry: every viewer kind × every visibility × every read path, each cell asserted.

One author writes one entry per visibility, each with a photo and a comment. Every viewer then
tries every path: the entry page, the 新着日記 feed, the member's diary page, the comments, the
photo URL, a notification about the comment, and "download my data".
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask_login import AnonymousUserMixin
from PIL import Image
from sqlalchemy import select

from community.core.database import utcnow
from community.diaries.models import PHOTO_OWNER, DiaryAudienceMember, DiaryComment, DiaryEntry
from community.extensions import db
from community.media import services as media
from community.notifications.models import Notification
from community.policy import can_view_entry, visible_entries
from community.social.models import Block, Friendship

VISIBILITIES = ["public", "members", "friends", "selected", "private"]
VIEWERS = ["anonymous", "unverified", "minor", "member", "friend", "selected", "author", "blocked",
           "suspended", "supporter", "staff"]
PATHS = ["policy_bool", "policy_sql", "entry_page", "feed", "member_page", "comments", "photo", "notification",
         "export"]

# Which visibilities each viewer may read. The blocked and suspended viewers are also the
# author's friends and picked for the `selected` entry, to show that the block or suspension wins.
CAN_READ = {
    "anonymous": {"public"},
    "unverified": {"public"},
    "minor": {"public", "members"},
    "member": {"public", "members"},
    "friend": {"public", "members", "friends"},
    "selected": {"public", "members", "selected"},
    "author": set(VISIBILITIES),
    "blocked": {"public"},
    "suspended": {"public"},
    "supporter": {"public", "members"},
    "staff": {"public", "members"},  # staff do not read friends-only, selected or private diaries
}


def expected(viewer: str, path: str) -> dict[str, bool]:
    if viewer == "suspended" and path not in ("policy_bool", "policy_sql"):
        # The accounts package confines a suspended member to the page explaining the suspension;
        # the policy rows above still say what they could read if that confinement ever went.
        return {v: False for v in VISIBILITIES}
    if path == "export":  # export holds one's own data only
        return {v: viewer == "author" for v in VISIBILITIES}
    if path == "notification" and viewer == "anonymous":
        return {v: False for v in VISIBILITIES}  # no one is notified anonymously
    return {v: v in CAN_READ[viewer] for v in VISIBILITIES}


def _tiny_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (30, 140, 60)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(app, make_user):
    today = date.today()
    author = make_user("author", nickname="書き手")
    people = {
        "unverified": make_user("v-unverified"),
        "minor": make_user("v-minor", birth_date=date(today.year - 13, 1, 1)),
        "member": make_user("v-member"),
        "friend": make_user("v-friend"),
        "selected": make_user("v-selected"),
        "blocked": make_user("v-blocked"),
        "suspended": make_user("v-suspended"),
        "supporter": make_user("v-supporter", role="supporter"),
        "staff": make_user("v-staff", role="staff"),
        "author": author,
    }
    for kind in ("friend", "blocked", "suspended"):
        db.session.add(Friendship(requester_id=author.id, addressee_id=people[kind].id, status="accepted",
                                  accepted_at=utcnow()))
    db.session.add(Block(blocker_id=author.id, blocked_id=people["blocked"].id))
    entries, photos = {}, {}
    for visibility in VISIBILITIES:
        entry = DiaryEntry(author_id=author.id, title=f"題-{visibility}", body=f"本文-{visibility}",
                           visibility=visibility)
        db.session.add(entry)
        db.session.flush()
        if visibility == "selected":
            for kind in ("selected", "blocked", "suspended"):
                db.session.add(DiaryAudienceMember(entry_id=entry.id, user_id=people[kind].id))
        db.session.add(DiaryComment(entry_id=entry.id, author_id=author.id, body=f"コメント-{visibility}"))
        photos[visibility] = media.store_photo(_tiny_png(), uploaded_by=author, owner_type=PHOTO_OWNER,
                                               owner_id=entry.id)
        entries[visibility] = entry
    db.session.commit()
    return {"author": author, "people": people, "entries": entries, "photos": photos}


def _log_in_as(client, auth, world, viewer: str):
    if viewer == "anonymous":
        return None
    user = world["people"][viewer]
    auth.login(user)
    # Status changes after login, as when staff suspend someone who is using the site.
    if viewer in ("unverified", "suspended"):
        user.status = "applied" if viewer == "unverified" else "suspended"
        db.session.commit()
    response = client.get("/diaries")
    if viewer == "suspended":
        assert response.headers["Location"].endswith("/suspended")
    else:
        assert user.nickname in response.get_data(as_text=True)  # really logged in
    return user


def _notify_all(world, user):
    """One notification per entry's comment, written directly: the filter is what is under test."""
    for entry in world["entries"].values():
        comment_id = db.session.scalar(select(DiaryComment.id).where(DiaryComment.entry_id == entry.id))
        db.session.add(Notification(recipient_id=user.id, kind="diary_comment", target_type="diary_comment",
                                    target_id=comment_id))
    db.session.commit()


def _observe(client, app, world, viewer, user, path) -> dict[str, bool]:
    entries, photos = world["entries"], world["photos"]
    if path in ("policy_bool", "policy_sql"):
        who = db.session.get(type(world["author"]), user.id) if user else AnonymousUserMixin()
        if path == "policy_bool":
            return {v: can_view_entry(who, e) for v, e in entries.items()}
        ids = set(db.session.scalars(visible_entries(select(DiaryEntry.id), who)))
        return {v: e.id in ids for v, e in entries.items()}
    if path == "entry_page":
        return {v: client.get(f"/diaries/{e.id}").status_code == 200 for v, e in entries.items()}
    if path == "comments":
        pages = {v: client.get(f"/diaries/{e.id}").get_data(as_text=True) for v, e in entries.items()}
        return {v: f"コメント-{v}" in html for v, html in pages.items()}
    if path == "feed":
        html = client.get("/diaries").get_data(as_text=True)
        return {v: f"題-{v}" in html for v in entries}
    if path == "member_page":
        response = client.get(f"/diaries/members/{world['author'].id}")
        html = response.get_data(as_text=True) if response.status_code == 200 else ""
        return {v: f"題-{v}" in html for v in entries}
    if path == "photo":
        return {v: client.get(f"/photos/{p.token}/thumb").status_code == 200 for v, p in photos.items()}
    if path == "notification":
        if user is None:
            assert client.get("/notifications").status_code == 302
            return {v: False for v in entries}
        _notify_all(world, user)
        html = client.get("/notifications").get_data(as_text=True)
        return {v: f"題-{v}" in html for v in entries}
    if path == "export":
        if user is None:
            return {v: False for v in entries}
        from community.diaries.hooks import export

        with app.test_request_context():
            _title, rows = export(db.session.get(type(user), user.id))
        titles = {row.get("title") for row in rows}
        return {v: f"題-{v}" in titles for v in entries}
    raise AssertionError(path)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_matrix(app, client, auth, world, viewer):
    """One row of the table per viewer kind (logging in once); every path × visibility cell compared."""
    user = _log_in_as(client, auth, world, viewer)
    observed = {path: _observe(client, app, world, viewer, user, path) for path in PATHS}
    assert observed == {path: expected(viewer, path) for path in PATHS}
