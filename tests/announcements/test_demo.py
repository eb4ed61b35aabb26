"""The demo city's announcements: department accounts with the badge, every state, no banner."""

from __future__ import annotations

DEMO_PASSWORD = "tsunagari-demo-2026"  # noqa: S105 - the documented demo password


def test_demo_announcements(runner, client):
    result = runner.invoke(args=["tsunagari", "demo"])
    assert result.exit_code == 0, result.output
    home = client.get("/").get_data(as_text=True)
    assert 'class="emergency"' not in home  # no current emergency in the demo
    listing = client.get("/announcements/").get_data(as_text=True)
    assert "市内一斉防災訓練を11月30日に行います" in listing and "official-badge" in listing
    assert "市民会館の大ホール改修工事の説明会" not in listing  # scheduled

    client.post("/login", data={"login_id": "staff-suzuki", "password": DEMO_PASSWORD})
    staff_list = client.get("/announcements/manage").get_data(as_text=True)
    for state in ("掲載中", "予定", "期限切れ", "取り下げ"):
        assert f">{state}</span>" in staff_list
    assert "子育て支援センターの年末年始の休館" not in staff_list  # 子育て支援課 is not suzuki's
