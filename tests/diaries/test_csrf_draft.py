"""An expired form token must not lose a diary: the form comes back with the text in it."""

import pytest
from sqlalchemy import func, select

from community.diaries.models import DiaryEntry
from community.extensions import db


@pytest.fixture
def app_config(app_config):
    return app_config | {"WTF_CSRF_ENABLED": True}


def test_expired_token_re_shows_the_form_with_the_text(client, make_user):
    import re

    user = make_user("writer")
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post("/login", data={"login_id": user.login_id, "password": "correct horse battery", "csrf_token": token})
    response = client.post("/diaries/new", data={"title": "長い日記", "body": "一時間かけて書いた本文",
                                                 "visibility": "members", "csrf_token": "expired"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "安全のためまだ投稿していません" in html
    assert 'value="長い日記"' in html and "一時間かけて書いた本文" in html
    assert db.session.scalar(select(func.count(DiaryEntry.id))) == 0
