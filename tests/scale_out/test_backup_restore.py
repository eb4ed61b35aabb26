"""Restore drill: back up a small city, lose it, restore it; the rows, the photos and the search
results come back exactly (on SQLite with the online backup API, on PostgreSQL with pg_dump)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import delete, func, select

from community.audit import AuditLog
from community.diaries.models import DiaryEntry
from community.extensions import db
from community.media.models import Photo
from tests.search.fixtures import titles

QUERIES = ["図書館", "公園", "日記"]


@pytest.fixture
def app_config(request, app_config):
    if app_config["DATABASE_URL"].startswith("postgresql") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (postgresql-client)")
    return app_config | {"SEARCH_BACKEND": getattr(request, "param", "whoosh")}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 30, 160)).save(out, "JPEG")
    return out.getvalue()


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def city(client, auth, make_user, make_city_page):
    make_city_page("図書館の利用案内", "図書館カードの作り方")
    make_city_page("公園の使い方", "公園でのボール遊び")
    auth.login(make_user("writer"))
    for n in range(3):
        response = client.post("/diaries/new", content_type="multipart/form-data", data={
            "title": f"公園の日記{n}", "body": "図書館の帰りに公園へ。", "visibility": "public",
            "photos": [(io.BytesIO(jpeg()), "p.jpg")]})
        assert response.status_code == 302
    auth.logout()


@pytest.mark.parametrize("app_config", ["whoosh", "database"], indirect=True)
def test_restore_drill(app, client, auth, runner, make_user, make_city_page, tmp_path):
    city(client, auth, make_user, make_city_page)
    found = {q: sorted(titles(client, q)) for q in QUERIES}  # (searching also applies the outbox)
    before = counts()
    assert found["公園"] and found["図書館"]
    photo_token = db.session.scalar(select(Photo.token))

    result = runner.invoke(args=["tsunagari", "backup", str(tmp_path / "b1")])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "b1" / "manifest.json").read_text())
    assert manifest["counts"] == before and manifest["files"] == 6  # 3 photos, 2 sizes each
    assert runner.invoke(args=["tsunagari", "backup", str(tmp_path / "b1")]).exit_code != 0  # never overwrites

    # Disaster: content deleted, the photos and the search index gone.
    db.session.execute(delete(Photo))
    db.session.execute(delete(DiaryEntry))
    db.session.commit()
    shutil.rmtree(app.config["UPLOAD_DIR"])
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"], ignore_errors=True)
    assert client.get(f"/photos/{photo_token}/display").status_code == 404

    refused = runner.invoke(args=["tsunagari", "restore", str(tmp_path / "b1")])
    assert refused.exit_code != 0 and "--yes" in refused.output
    result = runner.invoke(args=["tsunagari", "restore", str(tmp_path / "b1"), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Row counts match the backup." in result.output

    after = counts()
    # The restore is audited (the backup's own entry was written after its snapshot, so it is gone).
    assert after.pop("audit_log") == before.pop("audit_log") + 1
    assert after == before
    # The rebuilt index finds the same (in any order among equal scores: ties follow insertion order).
    assert {q: sorted(titles(client, q)) for q in QUERIES} == found
    assert client.get(f"/photos/{photo_token}/display").status_code == 200
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("site.%"))).all()
    assert actions == ["site.restore"]


def test_restore_refuses_what_is_not_a_backup(runner, tmp_path):
    (tmp_path / "x").mkdir()
    result = runner.invoke(args=["tsunagari", "restore", str(tmp_path / "x"), "--yes"])
    assert result.exit_code != 0 and "not a Tsunagari backup" in result.output


def test_a_restore_whose_counts_differ_says_so(app, runner, make_user, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the comparison does not depend on the database; the drill covers pg_restore (saves ~8 s)")
    make_user("someone")
    assert runner.invoke(args=["tsunagari", "backup", str(tmp_path / "b")]).exit_code == 0
    manifest_path = tmp_path / "b" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["counts"]["user_account"] += 1  # as if the dump had lost a row
    manifest_path.write_text(json.dumps(manifest))
    result = runner.invoke(args=["tsunagari", "restore", str(tmp_path / "b"), "--yes"])
    assert result.exit_code != 0
    assert "user_account: backup 2, restored 1" in result.output


def test_backup_skips_half_written_uploads(app, runner, tmp_path):
    photos = Path(app.config["UPLOAD_DIR"]) / "photos" / "ab"
    photos.mkdir(parents=True)
    (photos / ".upload-123.tmp").write_bytes(b"half")
    assert runner.invoke(args=["tsunagari", "backup", str(tmp_path / "b")]).exit_code == 0
    assert not list((tmp_path / "b" / "uploads").rglob(".upload-*"))
