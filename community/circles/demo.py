"""Demo circles (order 40): lively and quiet ones, and the nursery's secret room."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from community.accounts.models import AccountStatus, District, User, normalize_login_id
from community.circles.models import (
    Circle,
    CircleMembership,
    Event,
    EventSignup,
    Invitation,
    JoinRequest,
    Post,
    Topic,
)
from community.core.database import utcnow
from community.extensions import db

NURSERY = "ひまわり保育所 保護者の部屋"


def _users() -> dict[str, User]:
    return {u.login_id: u for u in db.session.scalars(select(User))}


def _second_teacher(users: dict[str, User]) -> User:
    """The nursery has two teachers; the accounts demo knows one (kenta), we add the other."""
    from community.accounts.demo import DEMO_PASSWORD
    from community.accounts.passwords import hash_password

    if "sachiko" in users:
        return users["sachiko"]
    kenta = users["kenta"]
    user = User(
        login_id="sachiko",
        login_key=normalize_login_id("sachiko"),
        nickname="さちこ先生",
        password_hash=kenta.password_hash if kenta.password_hash else hash_password(DEMO_PASSWORD),
        birth_date=kenta.birth_date.replace(year=1979),
        district_id=kenta.district_id,
        role="member",
        status=AccountStatus.verified.value,
        bio="ひまわり保育所の主任保育士です。",
        verified_at=utcnow() - timedelta(days=25),
    )
    db.session.add(user)
    db.session.flush()
    users["sachiko"] = user
    return user


def _circle(name, owner, *, members=(), admins=(), district=None, **fields) -> Circle:
    now = utcnow()
    circle = Circle(name=name, district=district, created_by_id=fields.pop("created_by_id", owner.id),
                    created_at=now - timedelta(days=fields.pop("age_days", 120)), **fields)
    db.session.add(circle)
    db.session.flush()
    rows = [(owner, "owner")] + [(u, "admin") for u in admins] + [(u, "member") for u in members]
    for user, role in rows:
        db.session.add(CircleMembership(circle_id=circle.id, user_id=user.id, role=role,
                                        joined_at=circle.created_at, last_read_at=now - timedelta(days=3)))
    circle.member_count = len(rows)
    return circle


def _topic(circle, author, title, posts, *, days_ago: float, pinned=False) -> Topic:
    """posts: [(author, body, hours after the topic)]; the first is the topic's own text."""
    start = utcnow() - timedelta(days=days_ago)
    topic = Topic(circle_id=circle.id, author_id=author.id, title=title, is_pinned=pinned, created_at=start,
                  last_posted_at=start)
    db.session.add(topic)
    db.session.flush()
    last = start
    for who, body, hours in posts:
        last = start + timedelta(hours=hours)
        db.session.add(Post(topic_id=topic.id, circle_id=circle.id, author_id=who.id, body=body, created_at=last))
    topic.last_posted_at = last
    if circle.last_activity_at is None or circle.last_activity_at < last:
        circle.last_activity_at = last
    db.session.flush()
    return topic


def _photo(color, *, owner_id, uploader, position, alt):
    """A small generated picture, stored through the real pipeline (no files ship with the demo)."""
    from PIL import Image, ImageDraw

    from community.media.services import store_photo

    image = Image.new("RGB", (640, 480), color)
    draw = ImageDraw.Draw(image)
    draw.ellipse((220, 140, 420, 340), fill=(255, 220, 80))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    store_photo(buffer.getvalue(), uploaded_by=uploader, owner_type="circle_post", owner_id=owner_id,
                position=position, alt_text=alt)


def load() -> None:
    users = _users()
    if "hanako" not in users:
        return
    districts = {d.name: d for d in db.session.scalars(select(District))}
    hanako, kenta, yoshiko, makoto, sora = (users[k] for k in ("hanako", "kenta", "yoshiko", "makoto", "sora"))
    ito, yamada, suzuki = users["supporter-ito"], users["supporter-yamada"], users["staff-suzuki"]
    sachiko = _second_teacher(users)
    now = utcnow()

    # The liveliest: a public parenting circle with many recent posts.
    kosodate = _circle("緑ヶ丘 子育てひろば", hanako, members=[kenta, sora, yoshiko], district=districts.get("緑ヶ丘地区"),
                       category="childcare", visibility="public", join_mode="open",
                       description="緑ヶ丘地区で子育て中の方の情報交換の場です。公園、病院、イベントの情報をどうぞ。")
    _topic(kosodate, hanako, "【お知らせ】書き込みのルール", [
        (hanako, "個人が特定できる写真や情報の書き込みはご遠慮ください。楽しく使いましょう。", 0),
    ], days_ago=60, pinned=True)
    _topic(kosodate, hanako, "雨の日に遊べる場所", [
        (hanako, "雨の日、子どもと遊べる室内の場所を教えてください。", 0),
        (kenta, "緑ヶ丘コミュニティセンターのプレイルームが平日に開いています。", 2),
        (yoshiko, "中央図書館のおはなし会もおすすめですよ。", 5),
        (hanako, "ありがとうございます！行ってみます。", 8),
    ], days_ago=4)
    _topic(kosodate, kenta, "小児科の夜間診療", [
        (kenta, "夜間に診てもらえる小児科の情報をまとめましょう。", 0),
        (hanako, "市の休日夜間急患センターは19時から受付です。", 1),
        (yoshiko, "電話相談 #8000 も便利です。", 3),
    ], days_ago=10)
    _topic(kosodate, hanako, "公園の遊具が新しくなりました", [
        (hanako, "緑ヶ丘中央公園の遊具が新しくなっていました。", 0),
        (kenta, "すべり台が大きくなりましたね。", 6),
    ], days_ago=1)

    # Private: listed, but only members read; joining needs approval.
    shodo = _circle("北公民館 書道の会", yoshiko, members=[ito], district=districts.get("北地区"),
                    category="hobby", visibility="private", join_mode="approval",
                    description="毎週木曜日の午後、北公民館の和室で書道を楽しんでいます。初心者歓迎。")
    _topic(shodo, yoshiko, "来月の課題", [
        (yoshiko, "来月の課題は「春風」です。", 0),
        (ito, "承知しました。楷書で書いてみます。", 20),
    ], days_ago=12)
    db.session.add(JoinRequest(circle_id=shodo.id, user_id=hanako.id, message="子どもと一緒に習いたいです。"))

    # Public sports circle with events (one nearly full, for the waiting list).
    yakyu = _circle("東地区 少年野球を応援する会", makoto, members=[kenta, ito], district=districts.get("東地区"),
                    category="sports", visibility="public", join_mode="open",
                    description="東地区の少年野球チームの試合予定や応援の連絡をします。")
    _topic(yakyu, makoto, "春の大会の日程", [
        (makoto, "春の大会は4月の第2日曜日です。", 0),
        (ito, "応援に行きます！", 24),
    ], days_ago=20)
    game = Event(circle_id=yakyu.id, created_by_id=makoto.id, title="練習試合の応援", place="東市民グラウンド",
                 description="雨天中止。飲み物をお持ちください。", starts_at=now + timedelta(days=6, hours=2),
                 ends_at=now + timedelta(days=6, hours=5), capacity=3)
    db.session.add(game)
    db.session.flush()
    for user in (kenta, ito):
        db.session.add(EventSignup(event_id=game.id, user_id=user.id, status="confirmed"))
    game.confirmed_count = 2

    # A quiet one: nothing new for months.
    taiso = _circle("朝のラジオ体操の会", ito, members=[yamada, yoshiko], district=districts.get("中央地区"),
                    category="health", visibility="public", join_mode="open", age_days=400,
                    description="毎朝6時30分、中央公園でラジオ体操をしています。")
    _topic(taiso, ito, "夏休みのラジオ体操", [(ito, "夏休み中は子どもたちも参加できます。", 0)], days_ago=200)

    volunteer = _circle("みなと地区 海岸清掃ボランティア", makoto, members=[], district=districts.get("みなと地区"),
                        category="volunteer", visibility="public", join_mode="open", age_days=30,
                        description="月に一度、みなと海岸の清掃をしています。どなたでも参加できます。")
    cleanup = Event(circle_id=volunteer.id, created_by_id=makoto.id, title="海岸清掃（5月）", place="みなと海岸 駐車場集合",
                    starts_at=now + timedelta(days=12), ends_at=now + timedelta(days=12, hours=2), capacity=20)
    db.session.add(cleanup)

    # The nursery's secret room: made by staff, run by two teachers, only admins start topics.
    nursery = _circle(NURSERY, kenta, admins=[sachiko], members=[hanako], district=districts.get("緑ヶ丘地区"),
                      category="childcare", visibility="secret", join_mode="invitation", topic_policy="admins",
                      comment_policy="members", is_official=True, created_by_id=suzuki.id, age_days=40,
                      description="ひまわり保育所の保護者の方だけが見られる部屋です。園での様子をお知らせします。")
    walk = _topic(nursery, kenta, "今日はお散歩で公園へ行きました", [
        (kenta, "今日はひまわり組のみんなで緑ヶ丘中央公園までお散歩に行きました。どんぐりをたくさん拾いました。", 0),
        (hanako, "写真ありがとうございます。家でもどんぐりの話をしていました！", 5),
    ], days_ago=0.5)
    first = db.session.scalar(select(Post).where(Post.topic_id == walk.id).order_by(Post.id).limit(1))
    for position, color in enumerate([(120, 180, 90), (90, 150, 200), (200, 140, 90)]):
        _photo(color, owner_id=first.id, uploader=kenta, position=position,
               alt=f"公園でのお散歩の様子 ({position + 1}/3)")
    _topic(nursery, sachiko, "【お知らせ】保護者会のご案内", [
        (sachiko, "来週の土曜日に保護者会を行います。出欠はイベントのページからお知らせください。", 0),
    ], days_ago=3, pinned=True)
    db.session.add(Event(circle_id=nursery.id, created_by_id=sachiko.id, title="保護者会", place="ひまわり保育所 ホール",
                         starts_at=now + timedelta(days=8), ends_at=now + timedelta(days=8, hours=1, minutes=30),
                         capacity=40))
    db.session.add(Invitation(circle_id=nursery.id, invited_by_id=kenta.id, code="HIMAWARI26", max_uses=40,
                              expires_at=now + timedelta(days=30)))
    db.session.flush()
