"""Demo diaries from the demo people (see community/accounts/demo.py), across every visibility."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select

from community.accounts.models import User
from community.core.database import utcnow
from community.diaries.models import (
    PHOTO_OWNER,
    AudienceList,
    AudienceListMember,
    DiaryAudienceList,
    DiaryAudienceMember,
    DiaryComment,
    DiaryEntry,
    DiaryLike,
)
from community.extensions import db
from community.media import services as media

# (author, days ago, visibility, title, body)
ENTRIES = [
    ("hanako", 1, "public", "図書館のおはなし会に行きました",
     "土曜日の午前中、中央図書館のおはなし会に子どもたちと参加しました。\n"
     "紙芝居「おむすびころりん」に下の子が大喜び。\n\n次回の予定は図書館のページに載っています。\n"
     "https://www.city.example.jp/library/"),
    ("hanako", 3, "friends", "上の子の運動会",
     "朝から場所取りをがんばりました。リレーで転んでしまったけれど、最後まで走りきって立派でした。"),
    ("hanako", 6, "selected", "子育てサークルの連絡",
     "来週の子育てサークルは公民館の和室です。おもちゃの持ち寄りをお願いします。"),
    ("hanako", 10, "private", "自分用メモ",
     "保育所の書類の締め切り：来月10日。予防接種の予約も忘れずに。"),
    ("kenta", 2, "members", "保育所の畑でじゃがいも掘り",
     "ひまわり保育所の畑で、子どもたちとじゃがいも掘りをしました。大きいのがたくさん取れました🥔"),
    ("yoshiko", 4, "members", "書道教室の作品展",
     "北公民館の書道教室で作品展があります。今年は「和」の字を書きました。\nぜひ見に来てください。"),
    ("yoshiko", 35, "friends", "孫が遊びに来ました",
     "お盆に孫が遊びに来てくれました。一緒にスイカを食べて、花火をしました。"),
    ("makoto", 5, "public", "少年野球 春季大会",
     "緑ヶ丘ファイターズ、春季大会で3位になりました！子どもたちの成長に感動です。"),
    ("supporter-ito", 7, "members", "南地区の防災訓練",
     "日曜日に南地区の防災訓練がありました。消火器の使い方を教わり、炊き出しのカレーもいただきました。"),
]


def _demo_photo(text_colour, background) -> bytes:
    image = Image.new("RGB", (1600, 1200), background)
    draw = ImageDraw.Draw(image)
    for i in range(0, 1600, 200):
        draw.ellipse((i, 700 - i // 4, i + 180, 880 - i // 4), fill=text_colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def load() -> None:
    people = {u.login_id: u for u in db.session.scalars(select(User))}
    if "hanako" not in people:
        return
    now = utcnow()
    entries = {}
    for login_id, days, visibility, title, body in ENTRIES:
        when = now - timedelta(days=days, hours=3)
        entry = DiaryEntry(author_id=people[login_id].id, title=title, body=body, visibility=visibility,
                           created_at=when, updated_at=when)
        db.session.add(entry)
        entries[title] = entry
    db.session.flush()

    circle = AudienceList(owner_id=people["hanako"].id, name="子育て仲間")
    db.session.add(circle)
    db.session.flush()
    db.session.add(AudienceListMember(list_id=circle.id, user_id=people["kenta"].id))
    selected = entries["子育てサークルの連絡"]
    db.session.add(DiaryAudienceList(entry_id=selected.id, list_id=circle.id))
    db.session.add(DiaryAudienceMember(entry_id=selected.id, user_id=people["yoshiko"].id))

    photos = (("図書館のおはなし会に行きました", (240, 180, 40), (70, 130, 180)),
              ("保育所の畑でじゃがいも掘り", (150, 100, 50), (120, 180, 90)))
    for title, colour, background in photos:
        entry = entries[title]
        media.store_photo(_demo_photo(colour, background), uploaded_by=entry.author, owner_type=PHOTO_OWNER,
                          owner_id=entry.id)

    comments = [
        ("図書館のおはなし会に行きました", "yoshiko", "楽しそうですね。わたしも孫と行ってみます。"),
        ("図書館のおはなし会に行きました", "kenta", "保育所の子どもたちも紙芝居が大好きです。"),
        ("保育所の畑でじゃがいも掘り", "hanako", "うちの子も持って帰ってきました！ありがとうございます。"),
        ("書道教室の作品展", "supporter-yamada", "毎年楽しみにしています。"),
    ]
    for offset, (title, login_id, body) in enumerate(comments):
        db.session.add(DiaryComment(entry_id=entries[title].id, author_id=people[login_id].id, body=body,
                                    created_at=entries[title].created_at + timedelta(hours=1 + offset)))
    for title, login_id in (("図書館のおはなし会に行きました", "kenta"), ("図書館のおはなし会に行きました", "makoto"),
                            ("少年野球 春季大会", "hanako"), ("書道教室の作品展", "hanako")):
        db.session.add(DiaryLike(entry_id=entries[title].id, user_id=people[login_id].id))
    db.session.flush()
