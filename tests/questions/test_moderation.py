"""Questions to the city can be reported (通報) and hidden by staff; the moderation state is then
respected wherever questions (and FAQ entries promoted from them) are listed, shown, suggested,
searched or queued. Permission matrix: viewers x (hidden question, removed question) x paths."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.extensions import db
from community.questions.models import Question
from moderation.models import ModerationCase
from tests.search.fixtures import app_config, titles  # noqa: F401 - every test on both backends

VIEWERS = ["anonymous", "member", "minor", "asker", "other", "supporter", "staff", "other_staff", "admin"]
# Who still opens a question hidden by staff (marked as hidden): its asker, its department, admins.
READS_HIDDEN = {"asker", "staff", "admin"}


def _login(auth, people, viewer):
    if people[viewer] is not None:
        assert auth.login(people[viewer]).status_code == 302


@pytest.fixture
def thread(people, make_question, make_faq, search_index):
    question = make_question(people["kosodate"], people["asker"], title="児童手当の申請はいつまでですか",
                             body="電話番号は090-0000-0000です。", answer="生まれた日の翌日から15日以内です。")
    faq = make_faq(people["kosodate"], title="児童手当の申請期限", answer="出生の翌日から15日以内に申請してください。",
                   category="childcare", question=question)
    return {"question": question, "faq": faq}


def _report_and_act(app, people, question, action: str) -> None:
    reporter, staff = app.test_client(), app.test_client()
    for client, user in ((reporter, people["member"]), (staff, people["admin"])):
        assert client.post("/login", data={"login_id": user.login_id, "password": "correct horse battery"}
                           ).status_code == 302
    page = reporter.get(f"/questions/{question.id}").get_data(as_text=True)
    assert f"/report/city_question/{question.id}" in page
    assert reporter.post(f"/report/city_question/{question.id}", data={"reason": "personal_info"}).status_code == 302
    case = db.session.scalar(select(ModerationCase))
    case_page = staff.get(f"/moderation/cases/{case.id}").get_data(as_text=True)
    assert question.body in case_page  # the question in context ...
    for answer in question.answers:
        assert answer.body in case_page  # ... with its answers
    response = staff.post(f"/moderation/cases/{case.id}/act",
                          data={"version": case.version, "action": action, "rule": "personal_info"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    db.session.expire_all()


def test_report_link_is_on_a_public_question_for_others_only(client, auth, people, thread):
    question = thread["question"]
    _login(auth, people, "other")
    assert f"/report/city_question/{question.id}" in client.get(f"/questions/{question.id}").get_data(as_text=True)
    auth.logout()
    _login(auth, people, "asker")  # nobody reports their own question
    assert "/report/city_question/" not in client.get(f"/questions/{question.id}").get_data(as_text=True)


def test_a_private_question_cannot_be_reported_by_those_who_cannot_read_it(client, auth, people, make_question):
    private = make_question(people["kosodate"], people["asker"], title="個別相談", visibility="private")
    _login(auth, people, "member")
    assert client.get(f"/report/city_question/{private.id}").status_code == 404
    assert client.post(f"/report/city_question/{private.id}", data={"reason": "personal_info"}).status_code == 404
    assert db.session.scalar(select(ModerationCase)) is None


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_hidden_question_leaves_every_place_but_its_asker_department_and_admins(
        app, client, auth, people, thread, viewer):
    question = thread["question"]
    assert titles(client, "児童手当") == ["児童手当の申請期限"]  # found before the report
    _report_and_act(app, people, question, "hide")
    assert db.session.get(Question, question.id).moderation_state == "hidden"
    _login(auth, people, viewer)

    shown = client.get(f"/questions/{question.id}")
    assert shown.status_code == (200 if viewer in READS_HIDDEN else 404)
    if viewer in READS_HIDDEN:
        assert "職員がこの質問と回答を非表示にしました" in shown.get_data(as_text=True)
        assert "/report/city_question/" not in shown.get_data(as_text=True)
    listed = client.get("/questions/").get_data(as_text=True)
    assert ("児童手当の申請はいつまでですか" in listed) == (viewer in READS_HIDDEN)

    # Its FAQ entry goes with it: search, suggestions, the FAQ list and its page (its department keeps it).
    assert titles(client, "児童手当") == []
    suggested = client.get("/search/suggest/faq", query_string={"q": "児童手当の申請はどうすればいいですか"}).get_json()
    assert suggested["results"] == []
    assert "児童手当の申請期限" not in client.get("/faq/").get_data(as_text=True)
    assert client.get(f"/faq/{thread['faq'].id}").status_code == (200 if viewer == "staff" else 404)

    # Members who no longer see it cannot report it either.
    if viewer not in READS_HIDDEN and viewer != "anonymous":
        assert client.get(f"/report/city_question/{question.id}").status_code == 404


@pytest.mark.parametrize("viewer", ["asker", "staff", "admin"])
def test_a_removed_question_is_gone_even_for_its_asker_and_department(app, client, auth, people, thread, viewer):
    question = thread["question"]
    _report_and_act(app, people, question, "delete")
    assert db.session.get(Question, question.id).moderation_state == "removed"
    _login(auth, people, viewer)
    assert client.get(f"/questions/{question.id}").status_code == 404
    assert "児童手当の申請はいつまでですか" not in client.get("/questions/").get_data(as_text=True)


def test_hidden_questions_leave_the_staff_queue_and_cannot_be_promoted(app, client, auth, people, make_question):
    question = make_question(people["kosodate"], people["asker"], title="宣伝の書き込みです", body="宣伝")
    _login(auth, people, "staff")
    assert "宣伝の書き込みです" in client.get("/staff/questions").get_data(as_text=True)
    auth.logout()
    _report_and_act(app, people, question, "hide")
    _login(auth, people, "staff")
    assert "宣伝の書き込みです" not in client.get("/staff/questions").get_data(as_text=True)


def test_restoring_a_hidden_question_brings_it_and_its_faq_entry_back(app, client, people, thread):
    question = thread["question"]
    assert titles(client, "児童手当") == ["児童手当の申請期限"]
    _report_and_act(app, people, question, "hide")
    assert titles(client, "児童手当") == []
    case = db.session.scalar(select(ModerationCase))
    staff = app.test_client()
    staff.post("/login", data={"login_id": people["admin"].login_id, "password": "correct horse battery"})
    response = staff.post(f"/moderation/cases/{case.id}/act",
                          data={"version": case.version, "action": "restore", "rule": "personal_info"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    db.session.expire_all()
    assert db.session.get(Question, question.id).moderation_state == "visible"
    assert client.get(f"/questions/{question.id}").status_code == 200
    found = titles(client, "児童手当")
    assert found == ["児童手当の申請期限"]


# Report route matrix: viewers x (public, private, hidden question). "ok" = the report form opens and
# a report is filed; "own" = refused (nobody reports their own question); 404 = they cannot see it.
REPORT_MATRIX = {
    #            public   private  hidden
    "anonymous": ("login", "login", "login"),
    "member": ("ok", 404, 404),
    "minor": ("ok", 404, 404),  # reporting is a safety feature: minors may report
    "asker": ("own", "own", "own"),
    "other": ("ok", 404, 404),
    "supporter": ("ok", 404, 404),
    "staff": ("ok", "ok", "ok"),  # the department's staff read all three
    "other_staff": ("ok", 404, 404),
    "admin": ("ok", "ok", "ok"),
}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_report_route_matrix(client, auth, people, make_question, viewer):
    kosodate, asker = people["kosodate"], people["asker"]
    targets = [
        make_question(kosodate, asker, title="公開の質問"),
        make_question(kosodate, asker, title="非公開の質問", visibility="private"),
        make_question(kosodate, asker, title="非表示の質問"),
    ]
    targets[2].moderation_state = "hidden"
    db.session.commit()
    _login(auth, people, viewer)
    for question, want in zip(targets, REPORT_MATRIX[viewer], strict=True):
        url = f"/report/city_question/{question.id}"
        shown = client.get(url)
        filed = client.post(url, data={"reason": "spam"})
        if want == "login":
            assert shown.status_code == 302 and "/login" in shown.headers["Location"]
            assert filed.status_code == 302 and "/login" in filed.headers["Location"]
        elif want == 404:
            assert (shown.status_code, filed.status_code) == (404, 404), question.title
        elif want == "own":
            assert shown.status_code in (403, 400) and filed.status_code in (403, 400), question.title
        else:
            assert shown.status_code == 200 and question.title in shown.get_data(as_text=True)
            assert filed.status_code == 302, question.title
    filed_ids = set(db.session.scalars(select(ModerationCase.target_id)))
    expected = {q.id for q, want in zip(targets, REPORT_MATRIX[viewer], strict=True) if want == "ok"}
    assert filed_ids == expected
