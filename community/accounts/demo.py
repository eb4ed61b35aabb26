"""The demo city's districts, facilities, staff, supporters and residents."""

from __future__ import annotations

from datetime import date, timedelta

from community.accounts.models import (
    AccountStatus,
    District,
    Facility,
    IdDocumentKind,
    Role,
    User,
    Verification,
    normalize_login_id,
)
from community.accounts.passwords import hash_password
from community.announcements.models import Announcement
from community.core.database import utcnow
from community.extensions import db

DEMO_PASSWORD = "tsunagari-demo-2026"  # noqa: S105 - documented demo password
# shinki's 申込番号, in the same unambiguous characters as real codes (no 0/O, 1/I/L).
DEMO_APPLICATION_CODE = "SHNK7Q4M"

DISTRICTS = ["中央地区", "北地区", "南地区", "東地区", "西地区", "緑ヶ丘地区", "みなと地区"]

FACILITIES = [
    ("みどり市役所 市民協働課", "市役所", "中央1-1-1", "平日 8:30〜17:15", "中央地区"),
    ("中央図書館", "図書館", "中央2-3-4", "火〜日 9:00〜19:00（月曜休館）", "中央地区"),
    ("北公民館", "公民館", "北町5-6", "9:00〜21:00（第3月曜休館）", "北地区"),
    ("南公民館", "公民館", "南台1-10", "9:00〜21:00（第2月曜休館）", "南地区"),
    ("緑ヶ丘コミュニティセンター", "公民館", "緑ヶ丘3-2", "9:00〜17:00（年末年始休館）", "緑ヶ丘地区"),
]

# (login_id, nickname, role, status, birth_date, district, bio)
PEOPLE = [
    ("admin", "システム管理者", Role.admin, AccountStatus.verified, date(1980, 6, 1), "中央地区", ""),
    ("staff-suzuki", "鈴木（市民協働課）", Role.staff, AccountStatus.verified, date(1985, 9, 12), "中央地区",
     "市民協働課で本人確認とサイト運営を担当しています。"),
    ("staff-tanaka", "田中（中央図書館）", Role.staff, AccountStatus.verified, date(1990, 2, 3), "中央地区",
     "中央図書館のカウンターで本人確認を行っています。"),
    ("supporter-yamada", "山田さん（サポーター）", Role.supporter, AccountStatus.verified, date(1952, 11, 20),
     "北地区", "サポーターズクラブで見守り活動をしています。"),
    ("supporter-ito", "いとう", Role.supporter, AccountStatus.verified, date(1961, 4, 8), "南地区",
     "南地区の自治会とサポーターをしています。"),
    ("hanako", "はなこ", Role.member, AccountStatus.verified, date(1988, 7, 7), "緑ヶ丘地区",
     "二児の母です。子育てサークルと図書館のおはなし会によく参加しています。"),
    ("kenta", "けんた", Role.member, AccountStatus.verified, date(1984, 3, 15), "緑ヶ丘地区",
     "ひまわり保育所の保育士です。"),
    ("yoshiko", "よしこ", Role.member, AccountStatus.verified, date(1949, 1, 30), "北地区",
     "公民館の書道教室に通っています。孫の写真が楽しみです。"),
    ("makoto", "まこと", Role.member, AccountStatus.verified, date(1975, 10, 2), "東地区",
     "週末は少年野球のコーチをしています。"),
    ("sora", "そら", Role.member, AccountStatus.verified, date(2013, 8, 20), "緑ヶ丘地区", "中学1年生です。"),
    ("shinki", "しんき", Role.member, AccountStatus.applied, date(1995, 12, 24), "西地区", ""),
]


def load() -> None:
    districts = {}
    for order, name in enumerate(DISTRICTS):
        districts[name] = District(name=name, sort_order=order)
        db.session.add(districts[name])
    facilities = []
    for name, kind, address, hours, district in FACILITIES:
        facilities.append(Facility(name=name, kind=kind, address=address, hours=hours, district=districts[district]))
        db.session.add(facilities[-1])
    password_hash = hash_password(DEMO_PASSWORD)
    now = utcnow()
    users = {}
    for number, (login_id, nickname, role, status, birth, district, bio) in enumerate(PEOPLE, start=1):
        user = User(
            login_id=login_id,
            login_key=normalize_login_id(login_id),
            nickname=nickname,
            password_hash=password_hash,
            birth_date=birth,
            district=districts[district],
            role=role.value,
            status=status.value,
            bio=bio,
            application_code=DEMO_APPLICATION_CODE if status is AccountStatus.applied else None,
            # The applicant applied recently, so `expire-applications` keeps them.
            applied_at=now - timedelta(days=3 if status is AccountStatus.applied else 30 + number),
            verified_at=(now - timedelta(days=20 + number)) if status is AccountStatus.verified else None,
        )
        users[login_id] = user
        db.session.add(user)
    db.session.flush()
    # Who checked whom, where and with which kind of document (never its number).
    kinds = list(IdDocumentKind)
    for number, user in enumerate(users.values()):
        if user.status != AccountStatus.verified.value:
            continue
        checker = None if user.login_id == "admin" else users["admin" if user.login_id == "staff-suzuki" else "staff-suzuki"]
        db.session.add(
            Verification(
                user_id=user.id,
                staff_id=checker.id if checker else None,
                facility_id=facilities[number % len(facilities)].id,
                id_document_kind=kinds[number % len(kinds)].value,
                birth_date_confirmed=True,
                method="application",
                verified_at=user.verified_at,
            )
        )
    db.session.add_all(
        [
            Announcement(
                title="年末年始の公民館・図書館の休館日について",
                body="12月29日から1月3日まで、市内の公民館と図書館は休館します。"
                "返却はブックポストをご利用ください。",
                department="市民協働課",
                published_at=now - timedelta(days=2),
                created_by_id=users["staff-suzuki"].id,
            ),
            Announcement(
                title="つながりの使い方講座（中央図書館）",
                body="スマートフォンやパソコンでの日記の書き方、サークルへの参加方法を職員がご案内します。"
                "毎週水曜日 14:00〜15:00、予約不要です。",
                department="市民協働課",
                published_at=now - timedelta(days=5),
                created_by_id=users["staff-tanaka"].id,
            ),
        ]
    )
