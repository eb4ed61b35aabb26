"""Demo お知らせ from the department accounts (order 16, after the accounts at 15; flushes, never commits).

No current emergency: a red banner on every demo page would hide what the other screens show. The
staff list still shows every state: 掲載中, 予定, 期限切れ (an ended 緊急情報) and 取り下げ.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from community.accounts.models import User
from community.announcements.models import Announcement
from community.core.database import utcnow
from community.extensions import db
from community.official.models import OfficialAccount

# (account, author, emergency, hours from now: published, expires (None: no end), withdrawn, title, body, reason)
NOTICES = [
    ("bousai", "staff-suzuki", False, -30, None, None, "市内一斉防災訓練を11月30日に行います",
     "11月30日（日）午前9時にサイレンが鳴ります。身の安全を確保する行動（シェイクアウト）にご協力ください。\n"
     "各地区の一時避難場所で、消火器の使い方や避難所の受付を体験できます。", ""),
    ("kosodate", "staff-tanaka", False, -50, 24 * 20, None, "子育て支援センターの年末年始の休館",
     "12月28日から1月4日まで、子育て支援センター（緑ヶ丘・中央）は休館します。", ""),
    ("kouhou", "staff-suzuki", False, 24 * 3, None, None, "市民会館の大ホール改修工事の説明会",
     "改修工事の内容と期間について、市民会館の会議室で説明会を開きます。", ""),
    ("bousai", "staff-suzuki", True, -24 * 4, -24 * 3, None, "強風注意報：屋外の催しにご注意ください",
     "強い風が吹いています。屋外の催しは中止や延期もご検討ください。", ""),
    ("bousai", "staff-suzuki", True, -24 * 2, 24, -24 * 2 + 1, "大雨警報：北公民館に避難所を開設しました",
     "北公民館を避難所として開設しました。", "北公民館ではなく南公民館でした。正しい情報をあらためてお知らせします。"),
]


def load() -> None:
    accounts = {a.slug: a for a in db.session.scalars(select(OfficialAccount))}
    users = {u.login_id: u for u in db.session.scalars(select(User))}
    if not accounts:
        return  # the official accounts' demo did not run
    now = utcnow()
    for slug, author, emergency, published, expires, withdrawn, title, body, reason in NOTICES:
        account = accounts.get(slug)
        if account is None:
            continue
        user = users.get(author)
        hours = timedelta(hours=1)
        db.session.add(Announcement(
            title=title, body=body, department=account.name, official_account_id=account.id,
            is_emergency=emergency, published_at=now + published * hours,
            expires_at=now + expires * hours if expires is not None else None,
            withdrawn_at=now + withdrawn * hours if withdrawn is not None else None,
            withdrawn_by_id=user.id if user and withdrawn is not None else None, withdrawal_reason=reason,
            updated_at=now + (withdrawn if withdrawn is not None else published) * hours,
            created_by_id=user.id if user else None,
        ))
    db.session.flush()
