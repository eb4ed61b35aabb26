"""The demo city has reach to show: charts and a suggestion for a department and a circle."""

from __future__ import annotations

from sqlalchemy import func, select

from community.extensions import db
from community.reach.models import ReachView


def test_demo_reach_for_departments_and_a_circle(runner, app, auth, client):
    result = runner.invoke(args=["tsunagari", "demo"])
    assert result.exit_code == 0, result.output
    owners = dict(db.session.execute(
        select(ReachView.owner_kind, func.count(func.distinct(ReachView.owner_id))).group_by(ReachView.owner_kind)
    ).all())
    assert owners["official"] >= 2 and owners["circle"] == 1

    assert auth.login("staff-suzuki", "tsunagari-demo-2026").status_code == 302
    page = client.get("/official/bousai/reach?days=90").get_data(as_text=True)
    assert "防災課 のリーチ分析" in page and "よく読む時間帯:" in page
    assert "リーチ分析" in client.get("/").get_data(as_text=True)  # staff find it in the navigation

    auth.logout()
    auth.login("hanako", "tsunagari-demo-2026")
    index = client.get("/reach").get_data(as_text=True)
    assert "緑ヶ丘 子育てひろば" in index
    from community.circles.models import Circle

    circle_id = db.session.scalar(select(Circle.id).where(Circle.name == "緑ヶ丘 子育てひろば"))
    circle_page = client.get(f"/circles/{circle_id}/reach?days=30&audience=30s").get_data(as_text=True)
    assert "この層（30代）がよく読む時間帯:" in circle_page
