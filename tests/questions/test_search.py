"""FAQ entries in the search index, on both backends: created, edited, withdrawn, department renamed;
and the suggestions a member sees while typing a question."""

from __future__ import annotations

from community.core.database import utcnow
from community.extensions import db
from tests.search.fixtures import app_config, titles  # noqa: F401 - every test on both backends


def _suggest(client, text):
    r = client.get("/search/suggest/faq", query_string={"q": text})
    assert r.status_code == 200
    return [s["title"] for s in r.get_json()["results"]]


def test_faq_follows_its_changes_in_search(client, people, make_faq, search_index):
    entry = make_faq(people["kosodate"], title="子育て支援センターの予約", answer="予約は不要です。")
    assert titles(client, "予約") == ["子育て支援センターの予約"]
    assert titles(client, "予約", source="official") == ["子育て支援センターの予約"]
    assert titles(client, "予約", source="voices") == []

    entry.answer = "平日は予約なしで利用できます。"
    db.session.commit()
    assert titles(client, "予約なし") == ["子育て支援センターの予約"]

    people["kosodate"].name = "こども家庭課"
    db.session.commit()
    assert titles(client, "こども家庭課") == ["子育て支援センターの予約"]

    entry.withdrawn_at = utcnow()
    db.session.commit()
    assert titles(client, "予約") == []


def test_suggestions_from_a_typed_sentence(client, people, make_faq, search_index):
    make_faq(people["kosodate"], title="児童手当の申請期限", answer="出生の翌日から15日以内です。")
    make_faq(people["bousai"], title="指定避難所の確認方法", answer="防災マップで確認できます。")
    make_faq(people["kosodate"], title="保育所の入所申込み", answer="毎年11月に受け付けます。")
    # A whole question as a resident types it: the content words are matched, particles are not.
    assert _suggest(client, "児童手当の申請はどうすればいいですか") == ["児童手当の申請期限"]
    assert _suggest(client, "ジドウテアテ") == []  # no reading match is invented
    assert _suggest(client, "避難所はどこ？") == ["指定避難所の確認方法"]
    # Entries that share the most words come first.
    assert _suggest(client, "保育所の申込み期限")[0] == "保育所の入所申込み"
    assert _suggest(client, "あ") == []
    assert _suggest(client, "") == []
    long = client.get("/search/suggest/faq", query_string={"q": "申請" * 500})
    assert long.status_code == 200


def test_no_js_fallback_offers_the_same_suggestions(client, auth, people, make_faq, search_index):
    make_faq(people["kosodate"], title="児童手当の申請期限", answer="出生の翌日から15日以内です。")
    auth.login(people["member"])
    r = client.post("/questions/new", data={"account_id": people["kosodate"].id, "title": "児童手当の申請について",
                                           "body": "書きかけ", "visibility": "public", "find_similar": "1"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "児童手当の申請期限" in html and "書きかけ" in html  # suggestions, and the form keeps its text
    from community.questions.models import Question

    assert db.session.scalar(db.select(Question.id)) is None  # looking is not asking
