"""Keeping the index true: committed changes are searchable next time; a stale index never leaks;
a missing index degrades search alone."""

from __future__ import annotations

import json
import shutil

from sqlalchemy import delete, select, update

from community.announcements.models import Announcement
from community.core.database import utcnow
from community.extensions import db
from search.citypages.models import CityPage
from search.models import SearchOutbox
from tests.search.fixtures import app_config, titles  # noqa: F401 - runs every test on both backends


def test_new_content_is_found_in_the_next_search(client, make_announcement, backend_name):
    make_announcement("防災訓練のお知らせ", "9月1日")
    if backend_name == "database":  # written in the same transaction: no outbox at all
        assert db.session.scalar(select(SearchOutbox.id)) is None
    assert titles(client, "防災訓練") == ["防災訓練のお知らせ"]


def test_edits_and_deletes_follow_the_commit(client, make_announcement):
    item = make_announcement("夏祭りのお知らせ", "花火大会")
    item.title = "盆踊りのお知らせ"
    db.session.commit()
    assert titles(client, "夏祭り") == []
    assert titles(client, "盆踊り") == ["盆踊りのお知らせ"]
    db.session.delete(item)
    db.session.commit()
    assert titles(client, "盆踊り") == []


def test_stale_index_never_shows_withdrawn_or_deleted_rows(client, make_announcement, make_city_page):
    item = make_announcement("古いお知らせ 防災", "")
    page = make_city_page("古いページ 防災", "")
    assert sorted(titles(client, "防災")) == ["古いお知らせ 防災", "古いページ 防災"]
    # Below the ORM: no events, no outbox, the index still holds both documents.
    db.session.execute(update(Announcement).where(Announcement.id == item.id).values(withdrawn_at=utcnow()))
    db.session.execute(update(CityPage).where(CityPage.id == page.id).values(removed_at=utcnow()))
    db.session.commit()
    assert titles(client, "防災") == []
    db.session.execute(delete(Announcement))
    db.session.commit()
    assert titles(client, "防災") == []


def test_reindex_check_drain_and_query_commands(runner, make_announcement, make_city_page):
    make_announcement("図書館まつり", "本の交換会")
    make_city_page("図書館の利用案内", "図書館カード")
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed 2 documents" in result.output
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output
    db.session.execute(update(Announcement).values(title="図書館フェスタ"))  # below the ORM: stale
    db.session.commit()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and "stale: 1" in result.output
    assert runner.invoke(args=["search", "drain"]).exit_code == 0
    result = runner.invoke(args=["search", "query", "図書", "--json"])
    data = json.loads(result.output)
    assert {r["kind"] for r in data["results"]} == {"announcement", "citypage"}
    result = runner.invoke(args=["search", "query", "図書", "--source", "official", "--as", "nobody"])
    assert result.exit_code != 0 and "nobody" in result.output


def test_health_reports_the_index(client, search_index, make_announcement):
    make_announcement("健康診断", "")
    state = client.get("/healthz").get_json()["checks"]["search"]
    assert state["ok"] is True and state["backend"] in ("whoosh", "database")


def test_deleted_whoosh_index_makes_search_unavailable_and_reindex_restores_it(app, client, runner, make_city_page):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        return  # the database backend has no files to lose
    make_city_page("図書館の利用案内", "図書館カード")
    assert titles(client, "図書館") == ["図書館の利用案内"]
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    response = client.get("/search/?q=図書館")
    assert response.status_code == 503
    assert "検索は現在ご利用いただけません" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200
    assert client.get("/healthz").get_json()["checks"]["search"]["ok"] is False
    check = runner.invoke(args=["search", "check"])  # a message and exit 1, not a traceback
    assert check.exit_code == 1 and "flask search reindex" in check.output and "Traceback" not in check.output
    make_city_page("公園の案内", "公園")  # writing content still works; the outbox keeps it
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    assert titles(client, "公園") == ["公園の案内"]
