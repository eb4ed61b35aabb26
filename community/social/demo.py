"""Demo friendships among the demo residents (accounts load the people at order 10)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from community.accounts.models import User
from community.core.database import utcnow
from community.extensions import db
from community.social.models import Friendship, ProfileSettings

FRIENDS = [("hanako", "kenta"), ("hanako", "yoshiko"), ("makoto", "kenta"), ("supporter-yamada", "yoshiko")]
PENDING = [("makoto", "hanako")]  # hanako has a request waiting when she logs in


def load() -> None:
    users = {u.login_id: u for u in db.session.scalars(select(User))}
    now = utcnow()
    for days, (a, b) in enumerate(FRIENDS, start=3):
        if a in users and b in users:
            db.session.add(Friendship(requester_id=users[a].id, addressee_id=users[b].id, status="accepted",
                                      created_at=now - timedelta(days=days + 1), accepted_at=now - timedelta(days=days)))
    for a, b in PENDING:
        if a in users and b in users:
            db.session.add(Friendship(requester_id=users[a].id, addressee_id=users[b].id, status="pending"))
    if "hanako" in users:
        db.session.add(ProfileSettings(user_id=users["hanako"].id, public_nickname=True, bio_visibility="members",
                                       district_visibility="friends"))
    db.session.flush()
