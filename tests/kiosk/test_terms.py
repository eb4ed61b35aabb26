"""The 利用規約 and プライバシーポリシー inside kiosk mode: linked from every kiosk screen's footer,
shown in the kiosk layout, and the site's /terms leads there instead of out of kiosk mode."""

from __future__ import annotations

from community.extensions import db
from community.terms import services as terms
from community.terms.demo import PRIVACY_BODY, TERMS_BODY


def test_kiosk_screens_link_to_the_terms_shown_inside_kiosk_mode(app, client, enrol, make_user):
    admin = make_user(role="admin")
    with app.test_request_context():
        for kind, body in (("terms", TERMS_BODY), ("privacy", PRIVACY_BODY)):
            terms.save_draft(admin, kind, title=kind, body=body)
            terms.publish(admin, kind)
        db.session.commit()
    enrol()
    welcome = client.get("/kiosk/").get_data(as_text=True)
    assert 'href="/kiosk/terms"' in welcome and 'href="/kiosk/privacy"' in welcome
    assert 'href="/terms"' not in welcome  # no link out of kiosk mode
    page = client.get("/kiosk/terms").get_data(as_text=True)
    assert "第5条（禁止事項）" in page
    assert "利用目的" in client.get("/kiosk/privacy").get_data(as_text=True)
    response = client.get("/privacy")
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/privacy"
