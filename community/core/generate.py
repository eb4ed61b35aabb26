"""`flask tsunagari generate --members 100000`: a city-scale data set for load tests and profiling.

Everything is written with bulk inserts below the ORM (executemany on SQLite, COPY on PostgreSQL),
with explicit ids, so 100,000 members and about two million rows take minutes, not hours. Counts
scale with --members (the figures below are for 100,000, about the size of Atsugi's active users):

    members 100,000 (5% minors, 1% supporters, a few staff), friendships 200,000,
    circles 2,000 (30% private or secret) with 60,000 memberships, 25,000 topics and 475,000 posts
    (every 40th topic has exactly 50 replies), 20,000 events, 300,000 diary entries across every
    visibility with 100,000 comments and 100,000 likes, 100,000 notifications;
    other packages add theirs through `register_generator` (city pages 10,000, reports 1,000).

The search index is not built here: run `flask search reindex` afterwards (and time it).
Generate into its own database (TSUNAGARI_DATABASE_URL / TSUNAGARI_INSTANCE_PATH), never the dev one:
the command refuses a database that already has members.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import click
from flask import Flask, current_app
from sqlalchemy import Integer, Table, bindparam, func, select

from community.extensions import db

GENERATE_PASSWORD = "tsunagari-scale-2026"  # noqa: S105 - documented password of generated members
BATCH = 5000

Generator = Callable[["GenerateContext"], None]


def register_generator(app: Flask, order: int, generator: Generator) -> None:
    """Packages outside `community` add their part of the scale data (lower order runs first).

    `generator(ctx)` calls `ctx.insert(table, rows)`; `ctx.ids` holds the id ranges written so far.
    """
    app.extensions.setdefault("tsunagari.generate", []).append((order, generator))


# --- Japanese text that reads like posts ---------------------------------------------------------

PLACES = ["中央", "北", "南", "東", "西", "緑ヶ丘", "みなと", "さくら台", "ひばり野", "若葉", "旭町", "本町"]
THINGS = [
    "子育て", "図書館", "防災訓練", "ゴミ出し", "健康診断", "予防接種", "保育園", "学童保育", "介護", "公民館",
    "体育館", "プール", "ボランティア", "自治会", "防犯パトロール", "交通安全", "子ども食堂", "読み聞かせ", "書道",
    "将棋", "囲碁", "写真", "家庭菜園", "料理教室", "ヨガ", "ウォーキング", "少年野球", "サッカー", "卓球",
    "合唱", "俳句", "英会話", "パソコン教室", "スマートフォン教室", "お祭り", "盆踊り", "花火大会", "朝市",
    "フリーマーケット", "清掃活動", "公園", "紅葉", "桜", "梅雨", "お弁当", "味噌づくり", "手芸", "陶芸",
]
FEELINGS = ["楽しかったです", "とても良かったです", "少し疲れました", "ほっとしました", "勉強になりました",
            "うれしかったです", "考えさせられました", "また行きたいです"]
PEOPLE = ["子どもたち", "孫", "近所の方", "夫", "妻", "母", "友達", "サークルの仲間", "先生", "息子", "娘"]
WEEK = "月火水木金土日"
SENTENCES = [
    "今日は{p}の{t}に行ってきました。{f}。",
    "{o}と一緒に{t}に参加しました。{f}。",
    "{p}地区の{t}、{m}月{d}日（{w}）にあります。どなたでも参加できるそうです。",
    "{t}のことで少し悩んでいます。経験のある方、よかったら教えてください。",
    "朝から雨でしたが、午後は晴れて{p}の公園を散歩しました。",
    "先週の{t}、{o}がとても喜んでいました。準備してくださった皆さん、ありがとうございました。",
    "{p}公民館の{t}は毎週{w}曜日です。初めての方も歓迎とのことです。",
    "最近{t}を始めました。まだまだですが、少しずつ慣れてきました。",
    "{m}月になって、{p}でも{t}の季節ですね。",
    "回覧板で{t}のお知らせを見ました。申し込みは{m}月{d}日までだそうです。",
    "{o}が{t}で賞をもらいました。{f}。",
    "{p}駅の近くに新しいお店ができていました。今度{o}と行ってみます。",
    "市のお知らせによると、{t}の受付時間が変わるそうです。",
    "{t}の帰りに{p}のパン屋さんに寄りました。",
]
TITLES = [
    "{p}の{t}", "{t}に行きました", "{m}月の{t}", "{t}について", "久しぶりの{t}", "{o}と{t}",
    "{t}のお知らせ", "{p}で{t}", "{t}、はじめました", "今日のできごと",
]
REPLIES = [
    "ありがとうございます！参考になります。", "私も参加したいです。", "{m}月{d}日は都合が合わず残念です。",
    "{p}の{t}、良いですよね。", "次回もよろしくお願いします。", "写真ありがとうございました。",
    "{t}の持ち物は何が必要ですか？", "了解です。当日{p}でお会いしましょう。", "お疲れさまでした！",
    "うちの{o}も楽しみにしています。", "詳しく教えていただけると助かります。",
]
CIRCLE_KINDS = ["サークル", "の会", "クラブ", "同好会", "ひろば", "部"]
NICK_HEAD = ["はな", "さくら", "ゆう", "けん", "みどり", "たろう", "あおい", "ひろ", "まさ", "ともこ", "ゆき",
             "そら", "なな", "しん", "かず", "えみ", "りょう", "あや", "まり", "こう"]
NICK_TAIL = ["", "ちゃん", "さん", "パパ", "ママ", "じい", "ばあ", "01", "_", "（北）", "（南）"]


class TextMaker:
    """Sentences from frames; a pool is built once, so millions of bodies cost little."""

    def __init__(self, rng: random.Random, pool_size: int = 4000) -> None:
        self.rng = rng
        self.sentences = [self._fill(rng.choice(SENTENCES)) for _ in range(pool_size)]
        self.titles = [self._fill(rng.choice(TITLES)) for _ in range(pool_size // 4)]
        self.replies = [self._fill(rng.choice(REPLIES)) for _ in range(pool_size // 4)]

    def _fill(self, frame: str) -> str:
        r = self.rng
        return frame.format(p=r.choice(PLACES), t=r.choice(THINGS), f=r.choice(FEELINGS), o=r.choice(PEOPLE),
                            m=r.randint(1, 12), d=r.randint(1, 28), w=r.choice(WEEK))

    def body(self, low: int = 1, high: int = 5) -> str:
        return "".join(self.rng.choices(self.sentences, k=self.rng.randint(low, high)))

    def title(self) -> str:
        return self.rng.choice(self.titles)

    def reply(self) -> str:
        return self.rng.choice(self.replies)

    def thing(self) -> str:
        return self.rng.choice(THINGS)

    def place(self) -> str:
        return self.rng.choice(PLACES)


# --- writing -------------------------------------------------------------------------------------


@dataclass
class GenerateContext:
    members: int
    rng: random.Random
    text: TextMaker
    now: datetime
    progress: Callable[[str, int], None] = lambda label, n: None
    ids: dict[str, range] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    user_meta: dict[str, list[int]] = field(default_factory=dict)

    @property
    def scale(self) -> float:
        return self.members / 100_000

    def count(self, at_100k: int, minimum: int = 1) -> int:
        return max(minimum, round(at_100k * self.scale))

    def when(self, days: int = 365) -> datetime:
        """A moment in the last `days` days, more of them recent (as on a living site)."""
        back = days * self.rng.random() ** 2
        return self.now - timedelta(days=back)

    def next_id(self, table: Table) -> int:
        return (db.session.execute(select(func.max(table.c.id))).scalar() or 0) + 1

    def insert(self, table: Table, rows: Iterable[dict]) -> int:
        """Bulk-insert dicts (same keys in every row); missing columns get their Python default."""
        written = 0
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                written += _write(table, batch)
                self.progress(table.name, len(batch))
                batch = []
        if batch:
            written += _write(table, batch)
            self.progress(table.name, len(batch))
        self.counts[table.name] = self.counts.get(table.name, 0) + written
        return written


def _defaults(table: Table, present: set[str]) -> dict:
    values = {}
    for column in table.columns:
        if column.name in present or column.default is None:
            continue
        default = column.default
        if default.is_scalar:
            values[column.name] = default.arg
        elif default.is_callable:
            values[column.name] = default.arg(None)
    return values


def _write(table: Table, batch: list[dict]) -> int:
    extra = _defaults(table, set(batch[0]))
    if extra:
        batch = [{**extra, **row} for row in batch]
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        columns = list(batch[0])
        raw = connection.connection.dbapi_connection
        quoted = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in batch:
                copy.write_row([row[c] for c in columns])
    else:
        connection.execute(table.insert(), batch)
    return len(batch)


def _reset_sequences(tables: Iterable[Table]) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move each past the largest id."""
    if db.session.connection().dialect.name != "postgresql":
        return
    for table in tables:
        if "id" in table.c and table.c.id.primary_key and isinstance(table.c.id.type, Integer):
            top = db.session.execute(select(func.max(table.c.id))).scalar() or 0
            db.session.execute(
                select(func.setval(func.pg_get_serial_sequence(f'"{table.name}"', "id"), top + 1, False))
            )


# --- the community's part ------------------------------------------------------------------------


def _districts(ctx: GenerateContext) -> list[int]:
    from community.accounts.demo import DISTRICTS
    from community.accounts.models import District, Facility

    ids = list(db.session.scalars(select(District.id).order_by(District.id)))
    if not ids:
        first = ctx.next_id(District.__table__)
        ctx.insert(District.__table__, ({"id": first + i, "name": name, "sort_order": i}
                                        for i, name in enumerate(DISTRICTS)))
        ids = list(range(first, first + len(DISTRICTS)))
        fid = ctx.next_id(Facility.__table__)
        ctx.insert(Facility.__table__, (
            {"id": fid + i, "name": f"{name.removesuffix('地区')}公民館", "kind": "公民館", "address": "",
             "hours": "9:00〜21:00", "phone": "", "district_id": ids[i]}
            for i, name in enumerate(DISTRICTS)))
    return ids


def generate_members(ctx: GenerateContext) -> None:
    from community.accounts.models import User, Verification, normalize_login_id
    from community.accounts.passwords import hash_password

    districts = _districts(ctx)
    table = User.__table__
    first = ctx.next_id(table)
    n = ctx.members
    staff = max(2, n // 20_000)
    password_hash = hash_password(GENERATE_PASSWORD)
    rng = ctx.rng
    minors: list[int] = []
    supporters: list[int] = []
    staff_ids: list[int] = []
    adults: list[int] = []
    today = ctx.now.date()

    def rows() -> Iterator[dict]:
        for i in range(n):
            uid = first + i
            if i < staff:
                role, login = ("admin" if i == 0 else "staff"), f"scale-staff-{i + 1}"
                staff_ids.append(uid)
            else:
                login = f"m{i + 1:06d}"
                role = "supporter" if rng.random() < 0.01 else "member"
                if role == "supporter":
                    supporters.append(uid)
            minor = role == "member" and rng.random() < 0.05
            if minor:
                birth = today - timedelta(days=rng.randint(13 * 365 + 4, 17 * 365))
                minors.append(uid)
            else:
                birth = date(rng.randint(1935, 2006), rng.randint(1, 12), rng.randint(1, 28))
                if role == "member":
                    adults.append(uid)
            status = "applied" if (role == "member" and rng.random() < 0.02) else "verified"
            applied = ctx.when(900)
            yield {
                "id": uid, "login_id": login, "login_key": normalize_login_id(login),
                "nickname": f"{rng.choice(NICK_HEAD)}{rng.choice(NICK_TAIL)}",
                "password_hash": password_hash, "birth_date": birth,
                "district_id": rng.choice(districts), "email": None,
                "bio": ctx.text.body(0, 2), "role": role, "status": status,
                "application_code": None, "applied_at": applied,
                "verified_at": applied + timedelta(days=rng.randint(0, 14)) if status == "verified" else None,
                "suspended_until": None, "suspension_reason": "", "created_at": applied,
            }

    ctx.insert(table, rows())
    ctx.ids["user"] = range(first, first + n)
    ctx.user_meta.update(minors=minors, supporters=supporters, staff=staff_ids, adults=adults)
    vid = ctx.next_id(Verification.__table__)
    # Staff and supporters were checked at the counter; that is enough history for the staff pages.
    checked = staff_ids + supporters
    ctx.insert(Verification.__table__, (
        {"id": vid + k, "user_id": uid, "staff_id": staff_ids[0], "facility_id": None,
         "id_document_kind": "my_number_card", "birth_date_confirmed": True, "method": "counter",
         "verified_at": ctx.now - timedelta(days=30)} for k, uid in enumerate(checked)))


def generate_friendships(ctx: GenerateContext) -> None:
    from community.social.models import Friendship

    table = Friendship.__table__
    users = ctx.ids["user"]
    first = ctx.next_id(table)
    target = ctx.count(200_000)
    rng = ctx.rng
    seen: set[tuple[int, int]] = set()

    def rows() -> Iterator[dict]:
        fid = first
        while len(seen) < min(target, len(users) * (len(users) - 1) // 4):
            a = rng.choice(users)
            # Friends mostly live near each other in id space: clusters, not a uniform graph.
            b = min(users[-1], max(users[0], a + rng.randint(-200, 200)))
            if a == b or (a, b) in seen or (b, a) in seen:
                continue
            seen.add((a, b))
            created = ctx.when(700)
            pending = rng.random() < 0.05
            yield {"id": fid, "requester_id": a, "addressee_id": b, "status": "pending" if pending else "accepted",
                   "created_at": created, "accepted_at": None if pending else created + timedelta(hours=5)}
            fid += 1

    ctx.insert(table, rows())


def generate_circles(ctx: GenerateContext) -> None:
    from community.circles.models import Circle, CircleMembership, Event, Post, Topic

    rng = ctx.rng
    users = ctx.ids["user"]
    from community.accounts.models import District

    district_ids = list(db.session.scalars(select(District.id)))
    categories = ["childcare", "hobby", "sports", "learning", "health", "local", "volunteer", "other"]
    n_circles = ctx.count(2_000, minimum=3)
    first_circle = ctx.next_id(Circle.__table__)
    circle_rows = []
    for i in range(n_circles):
        roll = rng.random()
        visibility = "public" if roll < 0.70 else ("private" if roll < 0.90 else "secret")
        thing = ctx.text.thing()
        created = ctx.when(900)
        circle_rows.append({
            "id": first_circle + i, "name": f"{ctx.text.place()}{thing}{rng.choice(CIRCLE_KINDS)}"[:80],
            "description": ctx.text.body(2, 4), "category": rng.choice(categories),
            "district_id": rng.choice(district_ids), "cover_photo_id": None, "visibility": visibility,
            "join_mode": {"public": "open", "private": "approval", "secret": "invitation"}[visibility],
            "topic_policy": "members", "comment_policy": "members", "is_official": rng.random() < 0.02,
            "status": "open", "moderation_state": "visible", "created_by_id": rng.choice(users),
            "created_at": created, "member_count": 0, "last_activity_at": created,
        })
    circle_ids = range(first_circle, first_circle + n_circles)

    # Memberships: 30 members on average, a few large circles; the creator owns the circle.
    members_of: dict[int, list[int]] = {}
    membership_rows = []
    mid = ctx.next_id(CircleMembership.__table__)
    for row in circle_rows:
        size = min(len(users), max(3, int(rng.paretovariate(1.6) * 12)))
        size = min(size, 600)
        picked = {row["created_by_id"]} | set(rng.sample(users, size - 1))
        members_of[row["id"]] = sorted(picked)
        row["member_count"] = len(picked)
        for uid in members_of[row["id"]]:
            membership_rows.append({
                "id": mid, "circle_id": row["id"], "user_id": uid,
                "role": "owner" if uid == row["created_by_id"] else "member", "state": "active",
                "notify_new_topics": False, "joined_at": row["created_at"], "last_read_at": ctx.when(60),
            })
            mid += 1

    # Topics and posts: 500,000 together at 100,000 members; every 40th topic has 50 replies.
    n_topics = ctx.count(25_000, minimum=n_circles)
    n_posts_goal = ctx.count(475_000, minimum=n_topics)
    first_topic = ctx.next_id(Topic.__table__)
    first_post = ctx.next_id(Post.__table__)
    topic_rows = []
    last_activity: dict[int, datetime] = {}

    def posts() -> Iterator[dict]:
        pid = first_post
        average = max(1, round(n_posts_goal / n_topics * 1.15))
        for t in range(n_topics):
            circle_id = circle_ids[t % n_circles] if t < n_circles else rng.choice(circle_ids)
            authors = members_of[circle_id]
            count = 51 if t % 40 == 0 else max(1, min(2 * average - 1, int(rng.expovariate(1 / average)) + 1))
            created = ctx.when(365)
            at = created
            topic_id = first_topic + t
            opener = rng.choice(authors)
            for k in range(count):
                yield {"id": pid, "topic_id": topic_id, "circle_id": circle_id,
                       "author_id": opener if k == 0 else rng.choice(authors),
                       "body": ctx.text.body(1, 4) if k == 0 else ctx.text.reply() + ctx.text.body(0, 2),
                       "moderation_state": "visible", "created_at": at}
                pid += 1
                at = min(ctx.now, at + timedelta(minutes=rng.randint(5, 3000)))
            topic_rows.append({
                "id": topic_id, "circle_id": circle_id, "author_id": opener,
                "title": ctx.text.title(), "is_pinned": rng.random() < 0.01, "moderation_state": "visible",
                "created_at": created, "last_posted_at": at,
            })
            last_activity[circle_id] = max(last_activity.get(circle_id, at), at)

    ctx.insert(Circle.__table__, circle_rows)
    ctx.insert(CircleMembership.__table__, membership_rows)
    post_rows = list(posts())  # topics need their last post time, and posts need the topic first
    ctx.insert(Topic.__table__, topic_rows)
    ctx.insert(Post.__table__, post_rows)
    del post_rows
    db.session.execute(
        Circle.__table__.update().where(Circle.__table__.c.id == bindparam("cid"))
        .values(last_activity_at=bindparam("at")),
        [{"cid": cid, "at": at} for cid, at in last_activity.items()],
    )
    ctx.ids["circle"] = circle_ids
    ctx.ids["circle_topic"] = range(first_topic, first_topic + n_topics)

    first_event = ctx.next_id(Event.__table__)
    n_events = ctx.count(20_000)

    def events() -> Iterator[dict]:
        for e in range(n_events):
            starts = ctx.now + timedelta(days=rng.randint(-200, 120), hours=rng.randint(9, 19))
            capacity = rng.choice([None, 10, 20, 30, 50])
            yield {"id": first_event + e, "circle_id": rng.choice(circle_ids), "created_by_id": rng.choice(users),
                   "title": f"{ctx.text.thing()}の集まり", "description": ctx.text.body(1, 3),
                   "place": f"{ctx.text.place()}公民館", "starts_at": starts, "ends_at": starts + timedelta(hours=2),
                   "capacity": capacity, "confirmed_count": 0, "moderation_state": "visible",
                   "reminded_at": None, "created_at": starts - timedelta(days=20)}

    ctx.insert(Event.__table__, events())
    ctx.ids["circle_event"] = range(first_event, first_event + n_events)


def generate_diaries(ctx: GenerateContext) -> None:
    from community.diaries.models import DiaryAudienceMember, DiaryComment, DiaryEntry, DiaryLike

    rng = ctx.rng
    users = ctx.ids["user"]
    writers = users[: max(1, len(users))]
    n_entries = ctx.count(300_000)
    first = ctx.next_id(DiaryEntry.__table__)
    visibilities = ["public"] * 30 + ["members"] * 40 + ["friends"] * 20 + ["selected"] * 5 + ["private"] * 5
    selected: list[tuple[int, int]] = []
    # A fifth of the members write most of the diaries, as on every site.
    active = writers[: max(1, len(writers) // 5)]

    def entries() -> Iterator[dict]:
        for e in range(n_entries):
            author = rng.choice(active) if rng.random() < 0.8 else rng.choice(writers)
            visibility = rng.choice(visibilities)
            created = ctx.when(730)
            if visibility == "selected":
                selected.append((first + e, author))
            yield {"id": first + e, "author_id": author, "title": ctx.text.title(), "body": ctx.text.body(2, 8),
                   "visibility": visibility, "moderation_state": "visible", "created_at": created,
                   "updated_at": created}

    ctx.insert(DiaryEntry.__table__, entries())
    entry_ids = range(first, first + n_entries)
    ctx.ids["diary_entry"] = entry_ids

    def audience() -> Iterator[dict]:
        for entry_id, author in selected:
            for uid in {min(users[-1], author + rng.randint(1, 50)) for _ in range(rng.randint(1, 3))}:
                if uid != author:
                    yield {"entry_id": entry_id, "user_id": uid}

    ctx.insert(DiaryAudienceMember.__table__, audience())

    first_comment = ctx.next_id(DiaryComment.__table__)
    n_comments = ctx.count(100_000)
    ctx.insert(DiaryComment.__table__, (
        {"id": first_comment + c, "entry_id": rng.choice(entry_ids), "author_id": rng.choice(users),
         "body": ctx.text.reply(), "moderation_state": "visible", "created_at": ctx.when(365)}
        for c in range(n_comments)))
    ctx.ids["diary_comment"] = range(first_comment, first_comment + n_comments)

    likes: set[tuple[int, int]] = set()
    n_likes = ctx.count(100_000)

    def like_rows() -> Iterator[dict]:
        while len(likes) < n_likes:
            pair = (rng.choice(entry_ids), rng.choice(users))
            if pair in likes:
                continue
            likes.add(pair)
            yield {"entry_id": pair[0], "user_id": pair[1], "created_at": ctx.when(365)}

    ctx.insert(DiaryLike.__table__, like_rows())


def generate_notifications(ctx: GenerateContext) -> None:
    from community.notifications.models import Notification

    rng = ctx.rng
    users = ctx.ids["user"]
    entries = ctx.ids["diary_entry"]
    first = ctx.next_id(Notification.__table__)
    n = ctx.count(100_000)
    ctx.insert(Notification.__table__, (
        {"id": first + k, "recipient_id": rng.choice(users), "kind": "diary_like", "actor_id": rng.choice(users),
         "target_type": "diary_entry", "target_id": rng.choice(entries), "created_at": ctx.when(60),
         "read_at": None if rng.random() < 0.3 else ctx.now} for k in range(n)))


COMMUNITY_STEPS: list[tuple[int, Generator]] = [
    (10, generate_members),
    (20, generate_friendships),
    (30, generate_diaries),
    (40, generate_circles),
    (45, generate_notifications),
]


def generate(members: int, *, seed: int = 2026, progress: Callable[[str, int], None] | None = None,
             now: datetime | None = None) -> GenerateContext:
    """Write the whole data set in one transaction (the caller commits)."""
    from community.accounts.models import User

    if (db.session.scalar(select(func.count()).select_from(User)) or 0) > 0:
        raise click.ClickException("The database already has members: generate into an empty database.")
    rng = random.Random(seed)
    ctx = GenerateContext(members=members, rng=rng, text=TextMaker(rng), now=now or datetime.now(UTC),
                          progress=progress or (lambda label, n: None))
    steps = COMMUNITY_STEPS + list(current_app.extensions.get("tsunagari.generate", []))
    for _order, step in sorted(steps, key=lambda item: item[0]):
        step(ctx)
    _reset_sequences(t for t in db.metadata.sorted_tables if t.name in ctx.counts)
    return ctx


def expected_rows(members: int) -> int:
    """Roughly how many rows --members writes, for the progress bar."""
    return int(members * 18.5)


@click.command("generate")
@click.option("--members", default=100_000, show_default=True, help="Members; every other count scales with it.")
@click.option("--seed", default=2026, show_default=True)
def generate_command(members: int, seed: int) -> None:
    """Fill an EMPTY database with a city-scale data set (bulk inserts). Password of every generated
    member: tsunagari-scale-2026 (logins m000001..., staff scale-staff-1...)."""
    db.create_all()
    started = time.perf_counter()
    with click.progressbar(length=expected_rows(members), label=f"Generating {members:,} members",
                           show_pos=True) as bar:
        def progress(label: str, n: int) -> None:
            bar.label = f"{label:<24}"
            bar.update(n)

        ctx = generate(members, seed=seed, progress=progress)
        db.session.commit()
    elapsed = time.perf_counter() - started
    total = sum(ctx.counts.values())
    click.echo(f"Wrote {total:,} rows in {elapsed:.1f} s ({total / max(elapsed, 1e-9):,.0f} rows/s):")
    for name, count in sorted(ctx.counts.items(), key=lambda item: -item[1]):
        click.echo(f"  {name:<28} {count:>10,}")
    click.echo("Now build the search index: flask search reindex")
