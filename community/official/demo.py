"""Demo department accounts (after the demo people, order 15): 広報広聴課, 防災課, 子育て支援課."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from community.accounts.models import User
from community.core.database import utcnow
from community.extensions import db
from community.official.models import (
    OfficialAccount,
    OfficialAccountMember,
    OfficialFollow,
    OfficialPost,
    OfficialPostReaction,
    OfficialPostRevision,
)

# (slug, name, may issue emergencies, members, description)
ACCOUNTS = [
    ("kouhou", "広報広聴課", False, ["staff-suzuki"],
     "市政の情報やイベント、市民の皆さんの声をお届けします。ご意見は市役所2階の広報広聴課までお寄せください。"),
    ("bousai", "防災課", True, ["staff-suzuki"],
     "防災訓練、避難所、気象警報など、暮らしの安全に関する情報をお知らせします。"),
    ("kosodate", "子育て支援課", False, ["staff-tanaka"],
     "子育て支援センターの催し、保育所、児童手当などの情報をお届けします。"),
]

# (account, days ago, title, body)
POSTS = [
    ("bousai", 6, "市内一斉防災訓練を実施します",
     "11月30日（日）午前9時から、市内全域で一斉防災訓練を行います。\n"
     "午前9時にサイレンが鳴ったら、身の安全を確保する行動（シェイクアウト）をお願いします。\n\n"
     "各地区の一時避難場所では、消火器の使い方や避難所の受付を体験できます。"),
    ("kosodate", 4, "子育て支援センターの12月の催し",
     "12月は「親子でクリスマス工作」（12月13日）と「離乳食の相談会」（12月18日）を開きます。\n"
     "どちらも申込みは不要です。お気軽にお越しください。"),
    ("kouhou", 2, "市役所本庁舎の駐車場が一部使えなくなります",
     "舗装工事のため、12月1日から12月5日まで、本庁舎東側の駐車場が使えません。\n"
     "お車でお越しの方は、西側駐車場または市民会館の駐車場をご利用ください。"),
    ("bousai", 1, "指定避難所の一覧を更新しました",
     "緑ヶ丘小学校の体育館の改修が終わり、12月から再び指定避難所になります。\n"
     "お住まいの地区の避難所を、市のホームページの避難所一覧で確認しておきましょう。"),
]

CORRECTION = (
    "bousai",
    "11月30日（日）午前9時から、市内全域で一斉防災訓練を行います。\n"
    "午前9時にサイレンが鳴ったら、身の安全を確保する行動（シェイクアウト）をお願いします。\n\n"
    "各地区の一時避難場所では、消火器の使い方や避難所の受付を体験できます。"
    "雨天の場合も、屋内の訓練は予定どおり行います。",
    "雨天時の扱いを追記しました。",
)


def load() -> None:
    users = {u.login_id: u for u in db.session.scalars(select(User))}
    admin = users.get("admin")
    accounts = {}
    for slug, name, emergencies, members, description in ACCOUNTS:
        account = OfficialAccount(slug=slug, name=name, description=description, may_issue_emergencies=emergencies,
                                  created_by_id=admin.id if admin else None)
        account.members = [OfficialAccountMember(user_id=users[m].id, added_by_id=admin.id if admin else None)
                           for m in members if m in users]
        db.session.add(account)
        accounts[slug] = account
    db.session.flush()
    hanako = users.get("hanako")
    if hanako is not None:
        db.session.add_all([OfficialFollow(account_id=accounts[s].id, user_id=hanako.id) for s in ("bousai", "kosodate")])
    now = utcnow()
    posts = {}
    for slug, days, title, body in POSTS:
        author = users.get(next(m for s, _n, _e, ms, _d in ACCOUNTS if s == slug for m in ms))
        post = OfficialPost(account_id=accounts[slug].id, author_id=author.id if author else None, title=title,
                            body=body, created_at=now - timedelta(days=days))
        db.session.add(post)
        posts.setdefault(slug, post)  # the first post of each account
    db.session.flush()
    slug, new_body, note = CORRECTION
    post = posts[slug]
    corrected_at = post.created_at + timedelta(days=1)
    post.revisions.append(OfficialPostRevision(version=2, old_title=post.title, new_title=post.title,
                                               old_body=post.body, new_body=new_body, note=note,
                                               editor_id=post.author_id, created_at=corrected_at))
    post.body, post.version, post.corrected_at = new_body, 2, corrected_at
    if hanako is not None:
        db.session.add(OfficialPostReaction(post_id=post.id, user_id=hanako.id, created_at=post.created_at))
    db.session.flush()
