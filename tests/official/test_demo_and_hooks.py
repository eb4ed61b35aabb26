"""The demo departments, and what happens to a follower's data on export and withdrawal (退会)."""

from __future__ import annotations

from sqlalchemy import select

from community.accounts import demo as accounts_demo
from community.accounts.models import User
from community.extensions import db
from community.official import demo
from community.official.hooks import export, withdraw
from community.official.models import OfficialAccount, OfficialFollow, OfficialPost, OfficialPostReaction


def test_demo_loader_builds_the_three_departments(client, auth):
    accounts_demo.load()
    demo.load()
    db.session.commit()
    accounts = {a.slug: a for a in db.session.scalars(select(OfficialAccount))}
    assert {a.name for a in accounts.values()} == {"広報広聴課", "防災課", "子育て支援課"}
    assert accounts["bousai"].may_issue_emergencies and not accounts["kouhou"].may_issue_emergencies
    users = {u.login_id: u for u in db.session.scalars(select(User))}

    def member_logins(slug):
        return {u.login_id for u in users.values() if any(m.user_id == u.id for m in accounts[slug].members)}

    assert member_logins("bousai") == member_logins("kouhou") == {"staff-suzuki"}
    assert member_logins("kosodate") == {"staff-tanaka"}
    corrected = db.session.scalars(select(OfficialPost).where(OfficialPost.corrected_at.is_not(None))).all()
    assert len(corrected) == 1 and len(corrected[0].revisions) == 1 and corrected[0].revisions[0].note
    assert 3 <= db.session.query(OfficialPost).count() <= 4
    auth.login("hanako", "tsunagari-demo-2026")
    home = client.get("/").get_data(as_text=True)
    assert "市内一斉防災訓練を実施します" in home and "子育て支援センターの12月の催し" in home
    assert "市役所本庁舎の駐車場" not in home  # 広報広聴課: hanako does not follow it


def test_export_lists_follows_and_withdrawal_removes_them(app, people, dept, make_official_post):
    member = people["member"]
    post = make_official_post(dept, title="防災訓練")
    db.session.add_all([OfficialFollow(account_id=dept.id, user_id=member.id),
                        OfficialPostReaction(post_id=post.id, user_id=member.id)])
    db.session.commit()
    with app.test_request_context():
        title, rows = export(member)
    assert title == "フォローしている公式アカウント"
    assert [(r["type"], r.get("account") or r.get("post")) for r in rows] == [
        ("official_follow", "防災課"), ("official_helpful", "防災訓練")]
    withdraw(member, keep=True)
    db.session.commit()
    assert db.session.scalars(select(OfficialFollow)).all() == []
    assert db.session.scalars(select(OfficialPostReaction)).all() == []
    assert db.session.get(OfficialPost, post.id) is not None
