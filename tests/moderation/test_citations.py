"""Staff cite the articles of the city's current 利用規約, and an action keeps the text and version it cited."""

from __future__ import annotations

from sqlalchemy import select

from community.extensions import db
from community.terms import services as terms
from community.terms.demo import TERMS_BODY
from moderation.models import ModerationAction, ModerationCase, ModerationNotice


def _publish(app, admin, body):
    with app.test_request_context():
        terms.save_draft(admin, "terms", title="利用規約", body=body)
        terms.publish(admin, "terms")
        db.session.commit()


def _agreed(app, *users):
    with app.test_request_context():
        for user in users:
            terms.record_agreement(user, "online")
        db.session.commit()


def test_the_action_form_offers_the_current_terms_and_records_the_cited_text(app, notes, make_user, login):
    admin, staff = make_user(role="admin"), make_user(role="staff")
    author, reporter = make_user(nickname="投稿者"), make_user()
    _publish(app, admin, TERMS_BODY)
    _agreed(app, admin, staff, author, reporter)
    note = notes.add(author, "ひどい書き込み")
    login(reporter).post(f"/report/test_note/{note.id}", data={"reason": "harassment", "note": "困っています"})
    case = db.session.scalar(select(ModerationCase).where(ModerationCase.target_id == note.id))

    client = login(staff)
    page = client.get(f"/moderation/cases/{case.id}").get_data(as_text=True)
    assert 'value="terms:1:5-1"' in page and "利用規約(第1版)第5条第1号: 他人を誹謗中傷し" in page
    assert 'value="harassment"' not in page  # the placeholder list is gone once the city has terms

    response = client.post(f"/moderation/cases/{case.id}/act",
                           data={"version": case.version, "action": "hide", "rule": "terms:1:5-1"})
    assert response.status_code == 302
    action = db.session.scalar(select(ModerationAction).where(ModerationAction.case_id == case.id))
    assert action.rule == "terms:1:5-1"
    assert action.rule_label == "利用規約(第1版)第5条第1号: 他人を誹謗中傷し、または嫌がらせをすること"

    # A new version drops that item; the old action and notice keep what they cited.
    _publish(app, admin, TERMS_BODY.replace("(1) 他人を誹謗中傷し、または嫌がらせをすること\n", ""))
    db.session.expire_all()
    assert db.session.get(ModerationAction, action.id).rule_label.startswith("利用規約(第1版)第5条第1号")
    notice = db.session.scalar(select(ModerationNotice).where(ModerationNotice.user_id == author.id))
    assert notice.rule_label.startswith("利用規約(第1版)第5条第1号")
    with app.test_request_context():
        codes = [code for code, _ in terms.citations()]
    assert "terms:2:5-2" in codes and "terms:2:5-1" not in codes
    assert not any(code.startswith("terms:1:") for code in codes)


def test_a_citation_from_a_replaced_version_is_refused_and_the_note_kept(app, notes, make_user, login):
    admin, staff, author, reporter = make_user(role="admin"), make_user(role="staff"), make_user(), make_user()
    _publish(app, admin, TERMS_BODY)
    _publish(app, admin, TERMS_BODY + "\n第8条（附則）\n改定しました。")
    _agreed(app, admin, staff, author, reporter)
    note = notes.add(author, "ひどい書き込み")
    login(reporter).post(f"/report/test_note/{note.id}", data={"reason": "harassment", "note": "困っています"})
    case = db.session.scalar(select(ModerationCase).where(ModerationCase.target_id == note.id))
    response = login(staff).post(f"/moderation/cases/{case.id}/act", data={
        "version": case.version, "action": "hide", "rule": "terms:1:5-1", "note": "第5条に反します"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "選択肢が正しくありません" in page
    assert "第5条に反します" in page and 'value="terms:2:5-1"' in page
    assert db.session.scalar(select(ModerationAction).where(ModerationAction.case_id == case.id)) is None
