"""With CSRF on (as in production): the feedback widget and the answer form carry a token, and a
post without one is refused with the Japanese 400 page and changes nothing."""

from __future__ import annotations

import re

import pytest

from community.extensions import db
from community.questions.models import Answer, PageFeedback


@pytest.fixture
def app_config(app_config):
    return app_config | {"WTF_CSRF_ENABLED": True}


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_feedback_needs_its_token(client, people, make_faq):
    entry = make_faq(people["kosodate"])
    refused = client.post(f"/feedback/faq/{entry.id}", data={"helpful": "yes"})
    assert refused.status_code == 400 and "安全のため受け付けませんでした" in refused.get_data(as_text=True)
    token = _token(client.get(f"/faq/{entry.id}").get_data(as_text=True))
    assert client.post(f"/feedback/faq/{entry.id}", data={"helpful": "yes", "csrf_token": token}).status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(PageFeedback)) == 1


def test_answer_needs_its_token(client, people, make_question):
    question = make_question(people["kosodate"], people["asker"])
    login = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"login_id": people["staff"].login_id, "password": "correct horse battery",
                                "csrf_token": _token(login)})
    refused = client.post(f"/questions/{question.id}/answer", data={"body": "回答", "seen_answers": "0"})
    assert refused.status_code == 400
    token = _token(client.get(f"/questions/{question.id}").get_data(as_text=True))
    ok = client.post(f"/questions/{question.id}/answer", data={"body": "回答", "seen_answers": "0", "csrf_token": token})
    assert ok.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(Answer)) == 1
