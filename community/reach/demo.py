"""Demo reach (order 66): plausible aggregate counts for the demo official accounts' posts and for
the liveliest circle's topics over the last 90 days, so the charts show something in `make run`.

Fixed seed: the same demo every time. Only aggregate cells are made, as real counting would.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select

from community.core.database import utcnow
from community.extensions import db
from community.policy.accounts import TOKYO
from community.reach.kinds import CIRCLE_TOPIC, OFFICIAL_POST
from community.reach.models import ReachView

# Relative reading by local hour: a little in the morning commute, lunch, and most in the evening.
HOURS = [1, 0, 0, 0, 0, 1, 3, 6, 5, 3, 3, 3, 6, 4, 3, 3, 3, 4, 6, 9, 11, 9, 5, 2]
WEEKDAYS = [5, 7, 6, 5, 5, 4, 4]  # Monday first: 火曜 a little busier
# Who reads official notices (older residents, many guests) and a parents' circle (30s and 40s).
OFFICIAL_BANDS = {"teen": 1, "20s": 3, "30s": 6, "40s": 9, "50s": 9, "60s": 8, "70plus": 7, "guest": 10, "child": 1}
CIRCLE_BANDS = {"20s": 4, "30s": 9, "40s": 6, "50s": 2, "60s": 2, "70plus": 1, "guest": 2}
DAYS = 90


def _cells(rng, cells: dict, kind, object_id, owner_kind, owner_id, created, bands, scale) -> None:
    now = utcnow()
    start = max(created, now - timedelta(days=DAYS))
    day = 0
    while start + timedelta(days=day) <= now:
        at = start + timedelta(days=day)
        age = (at - created).days
        # Most reading happens in the first days after posting, then a long tail.
        expected = scale * (4 if age < 1 else 2 if age < 4 else 0.6 if age < 14 else 0.15)
        local = at.astimezone(TOKYO)
        for _ in range(round(rng.expovariate(1 / max(expected, 0.01)))):
            hour = rng.choices(range(24), HOURS)[0]
            band = rng.choices(list(bands), list(bands.values()))[0]
            if rng.random() > WEEKDAYS[local.weekday()] / 7:
                continue
            key = (kind, object_id, owner_kind, owner_id, local.date(), hour, local.weekday(), band)
            cells[key] = cells.get(key, 0) + 1
        day += 1


def load() -> None:
    from community.circles.models import Circle, Topic
    from community.official.models import OfficialAccount, OfficialPost

    rng = random.Random(2026)
    cells: dict = {}
    for account in db.session.scalars(select(OfficialAccount).order_by(OfficialAccount.id)):
        for post in db.session.scalars(select(OfficialPost).where(OfficialPost.account_id == account.id)):
            _cells(rng, cells, OFFICIAL_POST, post.id, "official", account.id, post.created_at, OFFICIAL_BANDS, 40)
    liveliest = db.session.execute(
        select(Circle.id, func.count(Topic.id).label("n"))
        .join(Topic, Topic.circle_id == Circle.id)
        .where(Circle.visibility != "secret")
        .group_by(Circle.id)
        .order_by(func.count(Topic.id).desc(), Circle.id)
        .limit(1)
    ).first()
    if liveliest is not None:
        for topic in db.session.scalars(select(Topic).where(Topic.circle_id == liveliest.id)):
            _cells(rng, cells, CIRCLE_TOPIC, topic.id, "circle", liveliest.id, topic.created_at, CIRCLE_BANDS, 20)
    db.session.add_all(
        ReachView(kind=k, object_id=o, owner_kind=ok, owner_id=oi, day=d, hour=h, weekday=w, age_band=b, views=n)
        for (k, o, ok, oi, d, h, w, b), n in cells.items()
    )
    db.session.flush()
