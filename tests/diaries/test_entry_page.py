"""A diary entry's page asks the policy each question once (issue 9), and its buttons stay right."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from community.extensions import db


@pytest.fixture
def sql(app):
    """Statements of the requests made inside `with sql as seen:`."""

    class Recorder:
        def __enter__(self):
            self.seen = []
            event.listen(db.engine, "before_cursor_execute", self._record)
            return self.seen

        def __exit__(self, *exc):
            event.remove(db.engine, "before_cursor_execute", self._record)

        def _record(self, conn, cursor, statement, *args):
            self.seen.append(statement)

    return Recorder()


def test_entry_page_asks_visibility_and_blocks_once_each(client, auth, make_user, make_entry, sql):
    author, reader = make_user("author"), make_user("reader")
    entry = make_entry(author, "members", title="会員向けの日記")
    auth.login(reader)
    with sql as seen:
        html = client.get(f"/diaries/{entry.id}").get_data(as_text=True)
    assert "会員向けの日記" in html and 'name="body"' in html and "いいね（0件）" in html
    visibility_rule = [s for s in seen if "FROM diary_entry" in s and "diary_entry.visibility =" in s.partition("WHERE")[2]]
    blocks = [s for s in seen if "FROM block" in s and "diary" not in s]
    # Loading the entry through the rule; the comment check reads the answer from policy.memo. It
    # was three before: the comment check asked again and the like button a third time.
    assert len(visibility_rule) == 1, visibility_rule
    assert len(blocks) == 1, blocks


@pytest.mark.parametrize("who, comment, like", [
    ("reader", True, True),
    ("author", True, True),
    ("blocked", False, False),
    ("minor", False, False),
    ("visitor", False, False),
])
def test_comment_form_and_like_button_follow_the_policy(client, auth, make_user, make_entry, block,
                                                        who, comment, like):
    author = make_user("author")
    entry = make_entry(author, "public", title="みんなの日記")
    people = {"reader": make_user("reader"), "author": author, "blocked": make_user("blocked"),
              "minor": make_user("minor", birth_date=date(date.today().year - 12, 6, 1))}
    block(author, people["blocked"])
    if who != "visitor":
        auth.login(people[who])
    html = client.get(f"/diaries/{entry.id}").get_data(as_text=True)
    assert "みんなの日記" in html
    assert (f'action="/diaries/{entry.id}/comments"' in html) is comment
    assert (f'action="/diaries/{entry.id}/like"' in html) is like
