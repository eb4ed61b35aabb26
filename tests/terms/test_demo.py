"""The demo city has a sample 利用規約 and プライバシーポリシー that every demo member has agreed to."""

from sqlalchemy import func, select

from community.accounts.models import User
from community.extensions import db
from community.terms.models import TermsAgreement


def test_demo_loads_the_sample_terms_and_every_member_has_agreed(runner, client):
    result = runner.invoke(args=["tsunagari", "demo"])
    assert result.exit_code == 0, result.output
    terms = client.get("/terms").get_data(as_text=True)
    assert "第5条（禁止事項）" in terms and "他人になりすますこと" in terms
    privacy = client.get("/privacy").get_data(as_text=True)
    assert "利用目的" in privacy and "法令に基づく場合を除き" in privacy
    users = db.session.scalar(select(func.count()).select_from(User))
    agreed = db.session.scalar(select(func.count(func.distinct(TermsAgreement.user_id))))
    assert agreed == users


def test_a_demo_member_is_not_stopped_at_the_agreement_page(runner, auth, client):
    runner.invoke(args=["tsunagari", "demo"])
    response = auth.login("hanako", "tsunagari-demo-2026")
    assert client.get(response.headers["Location"]).status_code == 200
