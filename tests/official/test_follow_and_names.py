"""Following accounts and the home feed; the badge and the nickname guard against impersonation."""

from __future__ import annotations

from sqlalchemy import select

from community.core.database import utcnow
from community.extensions import db
from community.official.models import OfficialFollow
from community.official.names import fold, nickname_problem


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_follow_shows_posts_on_the_home_page_and_unfollow_removes_them(
        client, people, dept, make_account, make_official_post, login_as):
    other = make_account("子育て支援課", slug="kosodate")
    make_official_post(dept, title="避難所の開設について")
    make_official_post(dept, title="取り下げた投稿", withdrawn_at=utcnow(), withdrawn_reason="誤り")
    make_official_post(other, title="子育て広場のご案内")
    login_as("member")
    assert "避難所の開設について" not in _html(client.get("/"))
    response = client.post("/official/bousai/follow")
    assert response.status_code == 302
    home = _html(client.get("/"))
    assert "フォローしている公式アカウントから" in home
    assert "避難所の開設について" in home
    assert "取り下げた投稿" not in home and "子育て広場のご案内" not in home
    page = _html(client.get("/official/bousai"))
    assert "フォローをやめる" in page and "フォロワー 1人" in page
    client.post("/official/bousai/follow", data={"undo": "1"})
    assert "避難所の開設について" not in _html(client.get("/"))
    assert db.session.scalars(select(OfficialFollow)).all() == []


def test_following_twice_is_one_follow(client, dept, login_as):
    login_as("member")
    client.post("/official/bousai/follow")
    client.post("/official/bousai/follow")
    assert len(db.session.scalars(select(OfficialFollow)).all()) == 1


def test_home_feed_makes_a_fixed_number_of_queries(client, people, make_account, make_official_post, login_as, app):
    """Accounts are loaded in bulk: five followed accounts cost no more queries than one."""
    import sqlalchemy as sa

    member = login_as("member")

    def queries_for_home() -> int:
        count = 0

        def counter(*args):
            nonlocal count
            count += 1

        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            assert client.get("/").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)
        return count

    first = make_account("第一課", slug="first")
    db.session.add(OfficialFollow(account_id=first.id, user_id=member.id))
    make_official_post(first, title="一件目")
    one = queries_for_home()
    for n in range(4):
        account = make_account(f"第{n + 2}の課", slug=f"more{n}")
        db.session.add(OfficialFollow(account_id=account.id, user_id=member.id))
        make_official_post(account, title=f"追加{n}")
    assert queries_for_home() == one


def test_badge_is_drawn_for_official_accounts_and_never_for_members(client, people, dept, make_official_post):
    post = make_official_post(dept, title="お知らせ")
    html = _html(client.get(f"/official/posts/{post.id}"))
    assert html.count('class="official-badge"') == 1
    profile = _html(client.get(f"/members/{people['member'].id}"))
    assert 'class="official-badge"' not in profile


def test_fold_normalises_width_kana_spaces_and_punctuation():
    assert fold("防　災・課") == "防災課"
    assert fold("ﾎﾞｳｻｲｶ") == fold("ボウサイカ") == fold("ぼうさいか")
    assert fold("ＯＦＦＩＣＩＡＬ") == fold("Off-icial") == "official"


def test_nickname_guard(app, dept):
    with app.test_request_context():
        _check_guard()


def _check_guard():
    assert "防災課" in nickname_problem("みどり市 防 災 課")
    assert "防災課" in nickname_problem("防災課【お知らせ】")
    assert nickname_problem("市役所の人") is not None
    assert nickname_problem("ＯＦＦＩＣＩＡＬ") is not None
    assert nickname_problem("公式ファン") is not None
    assert nickname_problem("はなこ") is None
    assert nickname_problem("防災好きのたろう") is None


def test_application_form_refuses_an_official_looking_nickname_and_keeps_the_input(client, dept, make_district):
    district = make_district()
    response = client.post("/apply", data={
        "login_id": "fake-bousai", "nickname": "防災課 公式", "password": "a-long-enough-password-2026",
        "password_again": "a-long-enough-password-2026", "birth_date": "1980-01-01", "district_id": district.id,
    })
    assert response.status_code in (200, 400)
    html = _html(response)
    assert "紛らわしいため使えません" in html
    assert 'value="fake-bousai"' in html


def test_profile_edit_refuses_an_official_looking_nickname(client, people, dept, login_as):
    member = login_as("member")
    response = client.post("/settings/profile", data={"nickname": "ぼうさいか公式", "bio": "",
                                                      "bio_visibility": "members", "district_visibility": "members",
                                                      "avatar_visibility": "members"})
    db.session.expire_all()
    assert db.session.get(type(member), member.id).nickname == member.login_id
    assert "ニックネームに「公式」は使えません" in _html(response)
