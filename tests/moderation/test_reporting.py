"""Members and supporters report; 自分の通報 shows the status; the refusals are explained."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.audit import AuditLog
from community.extensions import db
from moderation.models import ModerationCase, Report


def test_member_reports_and_sees_it_as_received(notes, make_user, login):
    author, reporter = make_user(), make_user()
    note = notes.add(author, "迷惑な宣伝です")
    client = login(reporter)
    page = client.get(f"/report/test_note/{note.id}")
    assert page.status_code == 200
    assert "スパム・宣伝" in page.get_data(as_text=True)
    response = client.post(f"/report/test_note/{note.id}", data={"reason": "spam", "note": ""})
    assert response.status_code == 302
    mine = client.get("/reports/mine").get_data(as_text=True)
    assert "迷惑な宣伝です" in mine and "受付済み" in mine and "スパム・宣伝" in mine
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "report.created"))
    assert entry.actor_id == reporter.id and entry.target_type == "test_note" and entry.reason == "spam"


def test_reporting_again_updates_the_open_report(notes, make_user, login):
    author, reporter = make_user(), make_user()
    note = notes.add(author)
    client = login(reporter)
    client.post(f"/report/test_note/{note.id}", data={"reason": "spam"})
    response = client.post(
        f"/report/test_note/{note.id}", data={"reason": "harassment", "note": "何度も書き込まれています"},
        follow_redirects=True,
    )
    assert "通報を更新しました" in response.get_data(as_text=True)
    reports = db.session.scalars(select(Report)).all()
    assert len(reports) == 1 and reports[0].reason == "harassment"
    assert db.session.scalar(select(ModerationCase)).status == "open"


def test_own_content_cannot_be_reported(notes, make_user, login):
    author = make_user()
    note = notes.add(author)
    response = login(author).post(f"/report/test_note/{note.id}", data={"reason": "spam"})
    assert response.status_code == 403
    assert "ご自身の投稿は通報できません" in response.get_data(as_text=True)
    assert db.session.scalar(select(Report)) is None


def test_what_the_reporter_cannot_see_is_not_found(notes, make_user, login):
    author = make_user()
    note = notes.add(author, "自分だけのメモ", visibility="private")
    client = login(make_user())
    assert client.get(f"/report/test_note/{note.id}").status_code == 404
    assert client.post(f"/report/test_note/{note.id}", data={"reason": "spam"}).status_code == 404
    assert client.get("/report/no_such_kind/1").status_code == 404
    assert client.get("/report/test_note/999").status_code == 404


def test_a_deleted_item_cannot_be_reported(notes, make_user, login):
    note = notes.add(make_user())
    note.deleted = True
    response = login(make_user()).post(f"/report/test_note/{note.id}", data={"reason": "spam"})
    assert response.status_code == 410
    assert "すでに削除されている" in response.get_data(as_text=True)


@pytest.mark.parametrize("reason", ["illegal", "other"])
def test_a_note_is_required_for_law_and_other(notes, make_user, login, reason):
    note = notes.add(make_user())
    response = login(make_user()).post(f"/report/test_note/{note.id}", data={"reason": reason, "note": "  "})
    assert response.status_code == 400
    assert "内容を具体的に書いてください" in response.get_data(as_text=True)
    assert db.session.scalar(select(Report)) is None


def test_too_long_note_is_refused_and_kept(notes, make_user, login):
    note = notes.add(make_user())
    text = "あ" * 1001
    response = login(make_user()).post(f"/report/test_note/{note.id}", data={"reason": "other", "note": text})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "1000文字以内" in body and text in body  # what was typed is kept


def test_no_reason_is_refused(notes, make_user, login):
    note = notes.add(make_user())
    response = login(make_user()).post(f"/report/test_note/{note.id}", data={"note": "x"})
    assert response.status_code == 400
    assert "理由を選んでください" in response.get_data(as_text=True)


def test_minor_may_report(notes, make_user, login):
    from datetime import date

    child = make_user(birth_date=date.today().replace(year=date.today().year - 12))
    note = notes.add(make_user())
    assert login(child).post(f"/report/test_note/{note.id}", data={"reason": "child_safety"}).status_code == 302


def test_report_link_macro(app, notes, make_user, login):
    author, other = make_user(), make_user()
    note = notes.add(author)
    source = (
        '{% from "moderation/_report_link.html" import report_link with context %}'
        '{{ report_link("test_note", ' + str(note.id) + ', ' + str(author.id) + ') }}'
    )

    def render_as(user):
        with app.test_request_context("/"):
            from flask import render_template_string
            from flask_login import login_user

            if user:
                login_user(user)
            return render_template_string(source)

    assert f"/report/test_note/{note.id}" in render_as(other)
    assert "通報する" in render_as(other)
    assert render_as(author).strip() == ""
    assert render_as(None).strip() == ""


def test_supporter_patrol_lists_member_content_with_one_click_report(notes, make_user, login):
    author = make_user()
    supporter = make_user(role="supporter")
    shown = notes.add(author, "会員向けの投稿")
    notes.add(author, "非公開のメモ", visibility="private")
    client = login(supporter)
    page = client.get("/patrol").get_data(as_text=True)
    assert "会員向けの投稿" in page and "非公開のメモ" not in page
    response = client.post(
        f"/report/test_note/{shown.id}", data={"reason": "spam", "next": "/patrol"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/patrol")
    report = db.session.scalar(select(Report))
    assert report.from_supporter
    assert "通報済み" in client.get("/patrol").get_data(as_text=True)


def test_patrol_one_click_with_a_reason_needing_a_note_asks_for_it(notes, make_user, login):
    note = notes.add(make_user())
    response = login(make_user(role="supporter")).post(
        f"/report/test_note/{note.id}", data={"reason": "other", "next": "/patrol"}
    )
    assert response.status_code == 400
    assert re.search(r'<input checked[^>]*value="other"', response.get_data(as_text=True))  # choice kept
