"""The demo city has questions to the city, a FAQ and a private question, all in Japanese."""

from community.extensions import db
from community.questions.models import FaqEntry, Question


def test_demo_questions_and_faq(runner, client, auth):
    result = runner.invoke(args=["tsunagari", "demo"])
    assert result.exit_code == 0, result.output
    questions = db.session.scalars(db.select(Question)).all()
    assert {q.visibility for q in questions} == {"public", "private"}
    assert any(q.status == "answered" for q in questions) and any(q.status == "open" for q in questions)
    promoted = db.session.scalar(db.select(FaqEntry).where(FaqEntry.question_id.is_not(None)))
    assert promoted.account.name == "子育て支援課" and "児童手当" in promoted.title
    assert db.session.scalar(db.select(db.func.count()).select_from(FaqEntry)) >= 4

    # The promoted FAQ entry is found by cross-search (the demo builds the index at order 90).
    found = client.get("/search/", query_string={"q": "児童手当"}).get_data(as_text=True)
    assert "申請の期限と方法" in found
    listed = client.get("/questions/").get_data(as_text=True)
    assert "児童手当の申請はいつまでにすればいいですか" in listed
    assert "保育所の入所について個別に相談したいです" not in listed  # private

    auth.login("staff-tanaka", "tsunagari-demo-2026")
    queue = client.get("/staff/questions").get_data(as_text=True)
    assert "保育所の入所について個別に相談したいです" in queue and "子育て支援課" in queue
    assert "日前" in queue
