"""Download my data: the member's own data only, as JSON and as a readable page."""

from __future__ import annotations

import json

from community.extensions import db
from community.social.hooks import register_export_section
from community.social.models import Friendship


def test_export_contains_my_profile_friends_requests_blocks_and_hook_sections(
    app, client, auth, make_user, befriend, block_member
):
    me = make_user("hana", nickname="はな", email="hana@example.jp", bio="こんにちは")
    friend = make_user(nickname="友だちA", bio="友だちの秘密の自己紹介", email="friend@example.jp")
    befriend(me, friend)
    asker = make_user(nickname="申請した人")
    db.session.add(Friendship(requester_id=asker.id, addressee_id=me.id, status="pending"))
    db.session.commit()
    block_member(me, make_user(nickname="ブロックした人"))
    register_export_section(app, lambda user: ("日記", [{"title": f"{user.nickname}の日記", "body": "本文"}]))
    auth.login(me)

    response = client.get("/settings/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    sections = {s["title"]: s["rows"] for s in data["sections"]}
    assert sections["プロフィール"][0]["email"] == "hana@example.jp"
    assert sections["プロフィール"][0]["bio"] == "こんにちは"
    assert [r["nickname"] for r in sections["友達"]] == ["友だちA"]
    assert [r["nickname"] for r in sections["届いた友達申請"]] == ["申請した人"]
    assert [r["nickname"] for r in sections["ブロックした会員"]] == ["ブロックした人"]
    assert sections["日記"] == [{"title": "はなの日記", "body": "本文"}]
    text = response.get_data(as_text=True)
    # Other people's private data never leaks into my export.
    assert "友だちの秘密の自己紹介" not in text and "friend@example.jp" not in text
    assert "password" not in text

    page = client.get("/settings/export").get_data(as_text=True)
    assert "hana@example.jp" in page and "友だちA" in page and "はなの日記" in page
    assert "メールアドレス" in page  # keys are shown with readable headings


def test_export_needs_login(client):
    assert client.get("/settings/export.json").status_code == 302
    assert client.get("/settings/export").status_code == 302
