"""Scale data for `flask tsunagari generate`: reports (通報) on diary entries and circle posts.

At 100,000 members: 1,000 cases (four in five still open), each with one to four reports.
"""

from __future__ import annotations

from sqlalchemy import select

from community.core.generate import GenerateContext
from community.diaries.models import DiaryEntry
from moderation.models import ModerationCase, Report

REASONS = ["spam", "harassment", "personal_info", "inappropriate_image", "other"]


def generate_reports(ctx: GenerateContext) -> None:
    rng = ctx.rng
    users = ctx.ids["user"]
    supporters = set(ctx.user_meta.get("supporters", []))
    n_cases = ctx.count(1_000)
    first_case = ctx.next_id(ModerationCase.__table__)
    entries = rng.sample(ctx.ids["diary_entry"], min(n_cases, len(ctx.ids["diary_entry"])))
    authors = dict(db_rows(entries))
    cases = []
    reports = []
    report_id = ctx.next_id(Report.__table__)
    for k, entry_id in enumerate(entries):
        case_id = first_case + k
        opened = ctx.when(90)
        status = "open" if rng.random() < 0.8 else "closed"
        cases.append({
            "id": case_id, "kind": "diary_entry", "target_id": entry_id, "author_id": authors.get(entry_id),
            "district_id": None, "summary": ctx.text.title(), "status": status,
            "outcome": "" if status == "open" else "dismiss", "auto_hidden": False, "version": 1,
            "claimed_by_id": None, "claimed_at": None, "opened_at": opened,
            "first_action_at": None if status == "open" else opened, "updated_at": opened,
        })
        for reporter in {rng.choice(users) for _ in range(rng.randint(1, 4))}:
            reports.append({
                "id": report_id, "case_id": case_id, "reporter_id": reporter, "reason": rng.choice(REASONS),
                "note": "", "from_supporter": reporter in supporters, "status": status if status == "open"
                else "dismissed", "outcome": "", "created_at": opened, "updated_at": opened, "resolved_at": None,
            })
            report_id += 1
    ctx.insert(ModerationCase.__table__, cases)
    ctx.insert(Report.__table__, reports)


def db_rows(entry_ids: list[int]):
    from community.extensions import db

    for start in range(0, len(entry_ids), 500):
        chunk = entry_ids[start:start + 500]
        yield from db.session.execute(select(DiaryEntry.id, DiaryEntry.author_id).where(DiaryEntry.id.in_(chunk)))
