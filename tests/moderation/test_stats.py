"""Statistics: reports per week by reason, time to first action, share dismissed, as server SVG."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from community.extensions import db
from moderation.models import ModerationCase, Report
from moderation.stats import compute, median, percentile


def test_median_and_percentile():
    assert median([]) is None and percentile([], 90) is None
    assert median([3, 1, 2]) == 2 and median([1, 2, 3, 4]) == 2.5
    assert percentile(list(range(1, 11)), 90) == 9 and percentile([5], 90) == 5


def test_statistics_page(app, notes, make_user, login):
    a, b = notes.add(make_user()), notes.add(make_user())
    login(make_user()).post(f"/report/test_note/{a.id}", data={"reason": "spam"})
    login(make_user()).post(f"/report/test_note/{b.id}", data={"reason": "harassment"})
    # Pretend the reports came in 2 and 10 hours before staff acted.
    db.session.execute(update(Report).where(Report.id == 1).values(
        created_at=db.session.get(Report, 1).created_at - timedelta(hours=2)))
    db.session.execute(update(Report).where(Report.id == 2).values(
        created_at=db.session.get(Report, 2).created_at - timedelta(hours=10)))
    db.session.commit()
    client = login(make_user(role="staff"))
    for case in db.session.scalars(select(ModerationCase).order_by(ModerationCase.id)).all():
        action = "dismiss" if case.target_id == a.id else "hide"
        rule = "no_violation" if action == "dismiss" else "harassment"
        client.post(f"/moderation/cases/{case.id}/act", data={"version": case.version, "action": action, "rule": rule})
    with app.test_request_context():
        stats = compute()
    assert sum(w.counts["spam"] for w in stats.weeks) == 1
    assert sum(w.counts["harassment"] for w in stats.weeks) == 1
    assert 5.9 < stats.median_hours < 6.1 and 9.9 < stats.p90_hours < 10.1
    assert stats.dismissed_share == 0.5
    page = client.get("/moderation/stats").get_data(as_text=True)
    assert "<svg" in page and "<rect" in page and "50%" in page and "6.0時間" in page
    assert not re.search(r"\sstyle=", page)  # the CSP forbids inline styles
    assert "<script" not in page.split("<main", 1)[1]
