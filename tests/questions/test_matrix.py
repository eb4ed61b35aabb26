"""Permission matrix: viewers × (private question, public question, list, search, suggestions,
answer, promote, staff queue). The rules live in community/policy/questions.py; this table is
what each person notices."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.questions.models import Answer, FaqEntry, Question
from tests.search.fixtures import titles

VIEWERS = ["anonymous", "member", "minor", "asker", "other", "supporter", "staff", "other_staff", "admin"]

# Who may open the private question to 子育て支援課 (everyone else gets 404: nobody learns it exists).
READS_PRIVATE = {"asker", "staff", "admin"}
# Who finds the private question's title in the questions list.
LISTS_PRIVATE = {"asker", "staff", "admin"}
# Who may answer as 子育て支援課 (membership of the department account, not the staff role).
ANSWERS = {"staff"}
# Who sees the staff queue, and which departments in it.
QUEUE = {"staff": {"子育て支援課"}, "other_staff": {"防災課"}, "admin": {"子育て支援課", "防災課"}}


@pytest.fixture
def world(people, make_question, make_faq, search_index):
    kosodate, bousai = people["kosodate"], people["bousai"]
    private = make_question(kosodate, people["asker"], title="保育所の入所について個別相談（非公開）",
                            body="家庭の事情を含めて相談したいです。", visibility="private", answer="窓口でご相談ください")
    public = make_question(kosodate, people["asker"], title="児童手当の申請はいつまでですか",
                           body="二人目が生まれます。", answer="生まれた日の翌日から15日以内です。")
    make_question(bousai, people["other"], title="避難所の場所を知りたい", body="どこですか")
    faq = make_faq(kosodate, title="児童手当の申請期限", answer="出生の翌日から15日以内に申請してください。",
                   category="childcare", question=public)
    withdrawn = make_faq(kosodate, title="児童手当の古い案内", answer="取り下げた案内です。")
    from community.core.database import utcnow

    withdrawn.withdrawn_at = utcnow()
    db.session.commit()
    return {"private": private, "public": public, "faq": faq}


def _login(auth, people, viewer):
    if people[viewer] is not None:
        assert auth.login(people[viewer]).status_code == 302


@pytest.mark.parametrize("viewer", VIEWERS)
def test_reading(client, auth, people, world, viewer):
    _login(auth, people, viewer)
    private, public = world["private"], world["public"]

    r = client.get(f"/questions/{private.id}")
    assert r.status_code == (200 if viewer in READS_PRIVATE else 404)
    if viewer not in READS_PRIVATE:
        assert "保育所の入所" not in r.get_data(as_text=True)

    r = client.get(f"/questions/{public.id}")
    assert r.status_code == 200
    assert "生まれた日の翌日から15日以内です。" in r.get_data(as_text=True)

    listed = client.get("/questions/").get_data(as_text=True)
    assert "児童手当の申請はいつまでですか" in listed
    assert ("保育所の入所について個別相談" in listed) == (viewer in LISTS_PRIVATE)

    # Cross-search finds the FAQ entry (source 行政), never a question, never a withdrawn entry.
    assert titles(client, "児童手当") == ["児童手当の申請期限"]
    assert titles(client, "個別相談") == []

    suggested = client.get("/search/suggest/faq", query_string={"q": "児童手当の申請はどうすればいいですか"}).get_json()
    assert [s["title"] for s in suggested["results"]] == ["児童手当の申請期限"]
    nothing = client.get("/search/suggest/faq", query_string={"q": "保育所の入所について個別相談"}).get_json()
    assert nothing["results"] == []

    faq_page = client.get("/faq/", query_string={"q": "児童手当"}).get_data(as_text=True)
    assert "児童手当の申請期限" in faq_page and "古い案内" not in faq_page


@pytest.mark.parametrize("viewer", VIEWERS)
def test_answering(client, auth, people, world, viewer):
    _login(auth, people, viewer)
    bousai_question = db.session.scalar(db.select(Question).where(Question.title == "避難所の場所を知りたい"))
    kosodate_open = Question(account_id=people["kosodate"].id, asker_id=people["asker"].id,
                             title="未回答の質問", body="本文")
    db.session.add(kosodate_open)
    db.session.commit()

    r = client.post(f"/questions/{kosodate_open.id}/answer", data={"body": "回答します", "seen_answers": "0"})
    if viewer == "anonymous":
        assert r.status_code == 302 and "/login" in r.headers["Location"]
    elif viewer in ANSWERS:
        assert r.status_code == 302
    else:
        assert r.status_code == 403
    answers = db.session.scalars(db.select(Answer).where(Answer.question_id == kosodate_open.id)).all()
    assert len(answers) == (1 if viewer in ANSWERS else 0)

    # The private question: those who may not read it cannot even learn it exists.
    r = client.post(f"/questions/{world['private'].id}/answer", data={"body": "x", "seen_answers": "1", "note": "n"})
    if viewer == "anonymous":
        assert r.status_code == 302
    else:
        assert r.status_code in ((302,) if viewer in ANSWERS else (403,) if viewer in READS_PRIVATE else (404,))

    # Staff of another department cannot answer as 防災課 unless they are its members.
    r = client.post(f"/questions/{bousai_question.id}/answer", data={"body": "回答", "seen_answers": "0"})
    expected = 302 if viewer in ("other_staff", "anonymous") else 403
    assert r.status_code == expected


@pytest.mark.parametrize("viewer", VIEWERS)
def test_promoting(client, auth, people, world, viewer):
    _login(auth, people, viewer)
    public, private = world["public"], world["private"]
    db.session.delete(world["faq"])  # the public question is not a FAQ entry yet
    db.session.commit()
    data = {"title": "児童手当の申請", "answer": "15日以内に申請してください。", "category": "childcare"}

    r = client.post(f"/questions/{public.id}/promote", data=data)
    if viewer == "anonymous":
        assert r.status_code == 302 and "/login" in r.headers["Location"]
    elif viewer == "staff":
        assert r.status_code == 302 and "/faq/" in r.headers["Location"]
    else:
        assert r.status_code == 403
    count = db.session.scalar(db.select(db.func.count()).select_from(FaqEntry).where(FaqEntry.question_id == public.id))
    assert count == (1 if viewer == "staff" else 0)

    r = client.post(f"/questions/{private.id}/promote", data=data)
    if viewer == "anonymous":
        assert r.status_code == 302
    elif viewer in READS_PRIVATE:
        assert r.status_code == 403
        assert "非公開の質問は、よくある質問にできません。" in r.get_data(as_text=True)
    else:
        assert r.status_code == 404
    assert db.session.scalar(db.select(FaqEntry.id).where(FaqEntry.question_id == private.id)) is None


@pytest.mark.parametrize("viewer", VIEWERS)
def test_staff_queue(client, auth, people, world, viewer):
    _login(auth, people, viewer)
    r = client.get("/staff/questions")
    if viewer == "anonymous":
        assert r.status_code == 302
        return
    if viewer not in QUEUE:
        assert r.status_code == 403
        return
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    for name in ("子育て支援課", "防災課"):
        assert (f'id="dept-h-{people["kosodate" if name == "子育て支援課" else "bousai"].id}"' in html) == (
            name in QUEUE[viewer])
    # Answered questions are not in the queue; the open one of 防災課 is, for its staff and admins.
    assert "児童手当の申請はいつまでですか" not in html
    assert ("避難所の場所を知りたい" in html) == ("防災課" in QUEUE[viewer])
