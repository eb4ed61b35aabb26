"""Asking, answering, corrections, closing, FAQ and the staff queue, as members and staff notice them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.audit import AuditLog
from community.core.database import utcnow
from community.extensions import db
from community.notifications.models import Notification
from community.questions import services
from community.questions.models import Answer, FaqEntry, Question


def _questions():
    db.session.expire_all()
    return db.session.scalars(db.select(Question).order_by(Question.id)).all()


def test_member_asks_publicly_and_the_department_answers(client, auth, people):
    auth.login(people["asker"])
    r = client.post("/questions/new", data={"account_id": people["kosodate"].id, "title": "児童手当の申請について",
                                           "body": "いつまでに申請すればいいですか。", "visibility": "public"})
    assert r.status_code == 302
    (question,) = _questions()
    assert (question.status, question.visibility, question.asker_id) == ("open", "public", people["asker"].id)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "質問を子育て支援課に送りました。" in page and "未回答" in page

    auth.logout()
    auth.login(people["staff"])
    r = client.post(f"/questions/{question.id}/answer", data={"body": "出生の翌日から15日以内です。", "seen_answers": "0"})
    assert r.status_code == 302
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "出生の翌日から15日以内です。" in page and "回答済み" in page and "子育て支援課" in page
    db.session.expire_all()
    note = db.session.scalar(db.select(Notification).where(Notification.recipient_id == people["asker"].id))
    assert note.kind == "question_answered"
    assert db.session.scalar(db.select(AuditLog).where(AuditLog.action == "question.answer")).actor_id == people["staff"].id

    auth.logout()
    auth.login(people["asker"])
    notices = client.get("/notifications").get_data(as_text=True)
    assert "子育て支援課があなたの質問「児童手当の申請について」に回答しました。" in notices


def test_minor_cannot_ask(client, auth, people):
    auth.login(people["minor"])
    r = client.get("/questions/new")
    assert r.status_code == 403
    assert "中学生以下の方は、読むことはできますが投稿はできません。" in r.get_data(as_text=True)
    r = client.post("/questions/new", data={"account_id": people["kosodate"].id, "title": "t", "body": "b",
                                           "visibility": "public"})
    assert r.status_code == 403 and _questions() == []


@pytest.mark.parametrize("data, message", [
    ({"title": "", "body": ""}, "入力してください。"),
    ({"title": "あ" * 121}, "120文字以内で入力してください。"),
    ({"body": "い" * 4001}, "4000文字以内で入力してください。"),
    ({"account_id": "0"}, "質問する課を選んでください。"),
])
def test_bad_questions_keep_what_was_typed(client, auth, people, data, message):
    auth.login(people["asker"])
    form = {"account_id": people["kosodate"].id, "title": "保育所のこと", "body": "入所の時期を知りたい",
            "visibility": "public", **data}
    r = client.post("/questions/new", data=form)
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert message in html
    if form["body"] and len(form["body"]) < 100:
        assert form["body"] in html  # the form keeps what the member typed
    assert _questions() == []


def test_inactive_department_is_refused(client, auth, people, make_account):
    closed = make_account("旧課", active=False)
    auth.login(people["asker"])
    r = client.post("/questions/new", data={"account_id": closed.id, "title": "t", "body": "b", "visibility": "public"})
    assert r.status_code == 400 and _questions() == []


def test_double_submit_asks_once(client, auth, people):
    auth.login(people["asker"])
    data = {"account_id": people["kosodate"].id, "title": "二度押し", "body": "同じ内容", "visibility": "private"}
    first = client.post("/questions/new", data=data)
    second = client.post("/questions/new", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(_questions()) == 1


def test_answering_twice_gives_one_answer_and_the_second_becomes_a_visible_correction(client, auth, people,
                                                                                       make_question):
    question = make_question(people["kosodate"], people["asker"], title="申請の締切")
    auth.login(people["staff"])
    # Two staff members opened the form when there was no answer (seen_answers=0); both send.
    assert client.post(f"/questions/{question.id}/answer", data={"body": "15日以内です。", "seen_answers": "0"}).status_code == 302
    r = client.post(f"/questions/{question.id}/answer", data={"body": "30日以内です。", "seen_answers": "0"})
    html = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "ほかの職員がこの質問に回答しました" in html
    assert "30日以内です。" in html  # the text is kept in the form, now as a correction form
    assert 'name="seen_answers" type="hidden" value="1"' in html or 'value="1"' in html
    assert len(db.session.scalars(db.select(Answer).where(Answer.question_id == question.id)).all()) == 1

    # A correction needs a note; with one, it replaces the answer and the first stays as history.
    r = client.post(f"/questions/{question.id}/answer", data={"body": "14日以内です。", "seen_answers": "1"})
    assert r.status_code == 400 and "何を訂正したかを書いてください" in r.get_data(as_text=True)
    r = client.post(f"/questions/{question.id}/answer",
                    data={"body": "14日以内です。", "seen_answers": "1", "note": "日数を誤っていました。"})
    assert r.status_code == 302
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "回答（訂正あり）" in page and "日数を誤っていました。" in page
    assert page.index("14日以内です。") < page.index("15日以内です。")  # history below the current answer
    db.session.expire_all()
    kinds = sorted(n.kind for n in db.session.scalars(db.select(Notification)))
    assert kinds == ["question_answered", "question_corrected"]


def test_concurrent_answers_in_the_service(app, people, make_question):
    """The version check itself: a request that loaded the question before another answer was
    committed passes the first check, and the conditional UPDATE refuses it."""
    from sqlalchemy.orm.attributes import set_committed_value

    question = make_question(people["kosodate"], people["asker"])
    with app.test_request_context("/"):
        services.answer(people["staff"], question, body="一つ目", seen_answers=0)
        db.session.commit()
        stale = db.session.get(Question, question.id)
        set_committed_value(stale, "answer_count", 0)  # what the other request had loaded
        with pytest.raises(services.AlreadyAnswered):
            services.answer(people["staff"], stale, body="二つ目", seen_answers=0)
        db.session.rollback()
    assert db.session.scalars(db.select(Answer.body)).all() == ["一つ目"]
    # And the unique (question, sequence) constraint backs the UPDATE up.
    db.session.add(Answer(question_id=question.id, account_id=question.account_id, sequence=1, body="重複"))
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_closed_question_cannot_be_answered(client, auth, people, make_question):
    question = make_question(people["kosodate"], people["asker"])
    auth.login(people["staff"])
    assert client.post(f"/questions/{question.id}/close", data={"expected_status": "open"}).status_code == 302
    page = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "締切" in page and "回答を投稿する" not in page
    r = client.post(f"/questions/{question.id}/answer", data={"body": "遅れて回答", "seen_answers": "0"})
    assert r.status_code == 400 and "締め切られているため、回答できません" in r.get_data(as_text=True)
    assert db.session.scalar(db.select(AuditLog.id).where(AuditLog.action == "question.close")) is not None
    # Closing twice changes nothing and says nothing alarming.
    assert client.post(f"/questions/{question.id}/close", data={"expected_status": "open"}).status_code == 302


def test_asker_may_close_own_question(client, auth, people, make_question):
    question = make_question(people["kosodate"], people["asker"])
    auth.login(people["other"])
    assert client.post(f"/questions/{question.id}/close", data={}).status_code == 302
    assert _questions()[0].status == "open"
    auth.logout()
    auth.login(people["asker"])
    client.post(f"/questions/{question.id}/close", data={})
    assert _questions()[0].status == "closed"


def test_promote_then_faq_is_listed_searchable_and_double_submit_safe(client, auth, people, make_question,
                                                                      search_index):
    question = make_question(people["kosodate"], people["asker"], title="児童手当の申請はいつまで",
                             answer="出生の翌日から15日以内です。")
    auth.login(people["staff"])
    form = client.get(f"/questions/{question.id}/promote").get_data(as_text=True)
    assert "出生の翌日から15日以内です。" in form  # prefilled with the official answer
    data = {"title": "児童手当の申請期限", "answer": "出生の翌日から15日以内に申請してください。", "category": "childcare"}
    first = client.post(f"/questions/{question.id}/promote", data=data)
    second = client.post(f"/questions/{question.id}/promote", data=data)
    assert first.status_code == second.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(FaqEntry)) == 1
    auth.logout()
    listing = client.get("/faq/", query_string={"department": "kosodate"}).get_data(as_text=True)
    assert "児童手当の申請期限" in listing and "子育て・教育" in listing
    assert "児童手当の申請期限" in client.get("/faq/", query_string={"q": "申請期限"}).get_data(as_text=True)
    assert "児童手当の申請期限" not in client.get("/faq/", query_string={"department": "bousai"}).get_data(as_text=True)


def test_promote_refuses_unanswered_and_bad_input(client, auth, people, make_question):
    unanswered = make_question(people["kosodate"], people["asker"])
    answered = make_question(people["kosodate"], people["asker"], answer="回答")
    auth.login(people["staff"])
    r = client.post(f"/questions/{unanswered.id}/promote", data={"title": "t", "answer": "a", "category": "other"})
    assert r.status_code == 400 and "回答済みの公開の質問だけ" in r.get_data(as_text=True)
    r = client.post(f"/questions/{answered.id}/promote", data={"title": "", "answer": "", "category": "other"})
    assert r.status_code == 400 and "入力してください。" in r.get_data(as_text=True)
    r = client.post(f"/questions/{answered.id}/promote", data={"title": "t", "answer": "a", "category": "nope"})
    assert r.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(FaqEntry)) == 0


def test_staff_write_edit_and_withdraw_faq(client, auth, people, search_index):
    auth.login(people["staff"])
    r = client.post("/faq/new", data={"account_id": people["kosodate"].id, "title": "子育て支援センターの予約",
                                      "answer": "予約は不要です。", "category": "childcare"})
    assert r.status_code == 302
    entry = db.session.scalar(db.select(FaqEntry))
    # A department the staff member does not answer for is not a choice.
    r = client.post("/faq/new", data={"account_id": people["bousai"].id, "title": "x", "answer": "y",
                                      "category": "other"})
    assert r.status_code == 400
    edit = client.get(f"/faq/{entry.id}/edit").get_data(as_text=True)
    import re

    seen = re.search(r'name="seen_updated_at" type="hidden" value="([^"]+)"', edit).group(1)
    r = client.post(f"/faq/{entry.id}/edit", data={"title": "子育て支援センターは予約が必要ですか", "answer": "予約は不要です。",
                                                   "category": "childcare", "seen_updated_at": seen})
    assert r.status_code == 302
    # A stale form (opened before that edit) is refused and keeps its text.
    r = client.post(f"/faq/{entry.id}/edit", data={"title": "古い題名", "answer": "古い回答", "category": "childcare",
                                                   "seen_updated_at": seen})
    assert r.status_code == 400 and "ほかの職員がこのよくある質問を変更しました" in r.get_data(as_text=True)
    assert "古い回答" in r.get_data(as_text=True)
    auth.logout()
    auth.login(people["other_staff"])
    assert client.post(f"/faq/{entry.id}/withdraw").status_code == 403
    auth.logout()
    auth.login(people["staff"])
    assert client.post(f"/faq/{entry.id}/withdraw").status_code == 302
    auth.logout()
    assert client.get(f"/faq/{entry.id}").status_code == 404
    actions = sorted(db.session.scalars(db.select(AuditLog.action).where(AuditLog.action.like("faq.%"))))
    assert actions == ["faq.create", "faq.edit", "faq.withdraw"]


def test_queue_shows_age_oldest_first_and_counts(client, auth, people, make_question):
    make_question(people["kosodate"], people["asker"], title="新しい質問", days_ago=0)
    make_question(people["kosodate"], people["asker"], title="古い質問", days_ago=3, visibility="private")
    make_question(people["kosodate"], people["asker"], title="回答済みの質問", answer="済み", days_ago=5)
    auth.login(people["staff"])
    html = client.get("/staff/questions").get_data(as_text=True)
    assert html.index("古い質問") < html.index("新しい質問")
    assert "3日前" in html
    assert "回答済みの質問" not in html
    assert f'<a href="#dept-{people["kosodate"].id}">子育て支援課</a></th><td>2</td>' in html


def test_age_text():
    from community.questions.views import age_text

    now = utcnow()
    from app import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k" * 40})
    with app.test_request_context("/"):
        assert age_text(now - timedelta(days=3, hours=5), now) == "3日前"
        assert age_text(now - timedelta(hours=2), now) == "2時間前"
        assert age_text(now - timedelta(minutes=5), now) == "5分前"
        assert age_text(now, now) == "たった今"


def test_withdrawal_removes_private_questions_and_keeps_faq(app, people, make_question, make_faq):
    from community.questions.hooks import withdraw

    private = make_question(people["kosodate"], people["asker"], visibility="private")
    public = make_question(people["kosodate"], people["asker"], answer="回答")
    faq = make_faq(people["kosodate"], question=public)
    withdraw(people["asker"], keep=True)
    db.session.commit()
    assert [q.id for q in _questions()] == [public.id]
    withdraw(people["asker"], keep=False)
    db.session.commit()
    assert _questions() == []
    db.session.expire_all()
    assert db.session.get(FaqEntry, faq.id).question_id is None
    _ = private


def test_two_staff_answer_at_the_same_moment(app, people, make_question):
    """Two requests in two threads (two database connections): the second loaded the question while
    the first had written but not committed its answer. One answer results; the other is refused.
    On PostgreSQL the second UPDATE waits for the first's row lock and then finds the count changed."""
    import threading
    import time

    from community.accounts.models import User

    question = make_question(people["kosodate"], people["asker"])
    staff_id, question_id = people["staff"].id, question.id
    db.session.remove()
    flushed, loaded, release = threading.Event(), threading.Event(), threading.Event()
    results: dict[str, str] = {}

    def first():
        with app.test_request_context("/"):
            services.answer(db.session.get(User, staff_id), db.session.get(Question, question_id), body="一人目",
                            seen_answers=0)
            flushed.set()
            release.wait(30)
            db.session.commit()
            results["first"] = "answered"
            db.session.remove()

    def second():
        with app.test_request_context("/"):
            staff, stale = db.session.get(User, staff_id), db.session.get(Question, question_id)
            loaded.set()
            try:
                services.answer(staff, stale, body="二人目", seen_answers=stale.answer_count)
                db.session.commit()
                results["second"] = "answered"
            except services.AlreadyAnswered:
                db.session.rollback()
                results["second"] = "refused"
            db.session.remove()

    one = threading.Thread(target=first)
    one.start()
    assert flushed.wait(30)
    two = threading.Thread(target=second)
    two.start()
    assert loaded.wait(30)
    if db.engine.dialect.name == "postgresql":  # let the second UPDATE reach the row lock first
        deadline, waiting = time.monotonic() + 10, 0
        while time.monotonic() < deadline and not waiting:
            waiting = db.session.scalar(db.text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query ILIKE 'UPDATE city_question%'"))
            db.session.rollback()
            time.sleep(0.01)
        assert waiting, "the second answer never waited for the first one's row lock"
    release.set()
    one.join(30)
    two.join(30)
    assert results == {"first": "answered", "second": "refused"}
    assert db.session.scalars(db.select(Answer.body)).all() == ["一人目"]
    assert db.session.get(Question, question_id).answer_count == 1
