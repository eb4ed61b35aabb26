"""Faults that must not lose anything: the search index broken or gone, and a full disk."""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from community.diaries.models import DiaryEntry
from community.extensions import db
from community.media.models import Photo
from tests.search.fixtures import titles


@pytest.fixture
def app_config(request, app_config):
    """Tests may add settings with @pytest.mark.parametrize("app_config", [{...}], indirect=True)."""
    return app_config | getattr(request, "param", {})


def noisy_jpeg(size=(640, 480)) -> bytes:
    """Random pixels: a JPEG that does not compress to almost nothing."""
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, "JPEG", quality=90)
    return out.getvalue()


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def post_diary(client, title, photo=None):
    data = {"title": title, "body": "停電の日の記録です。", "visibility": "public"}
    if photo is not None:
        data["photos"] = [(io.BytesIO(photo), "photo.jpg")]
    return client.post("/diaries/new", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("damage", ["deleted", "garbage"])
def test_a_broken_index_stops_search_only_and_reindex_restores_it(app, client, auth, runner, make_user,
                                                                   make_city_page, damage):
    make_city_page("避難所の一覧", "避難所と公園")
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    assert titles(client, "避難所") == ["避難所の一覧"]
    shutil.rmtree(index_dir)
    if damage == "garbage":  # files there, but not an index Whoosh can read
        index_dir.mkdir()
        (index_dir / "_MAIN_1.toc").write_bytes(b"\x00not an index\x00" * 10)
    app.extensions["tsunagari.search.backend"].clear()  # as a freshly started worker would see it

    response = client.get("/search/?q=避難所")
    assert response.status_code == 503
    assert "検索は現在ご利用いただけません" in response.get_data(as_text=True)
    health = client.get("/healthz")
    assert health.status_code == 200  # only search is degraded: the load balancer keeps this process
    assert health.get_json()["checks"]["search"]["ok"] is False
    # Everything else works: pages, signing in, posting (the outbox keeps the post for the index).
    assert client.get("/").status_code == 200
    auth.login(make_user("writer"))
    assert post_diary(client, "避難所で過ごした日").status_code == 302

    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert sorted(titles(client, "避難所")) == ["避難所で過ごした日", "避難所の一覧"]
    assert client.get("/healthz").get_json()["checks"]["search"]["ok"] is True
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return result.returncode == 0


@pytest.fixture(params=["tmpfs", "patched"])
def full_disk(request, app, tmp_path, monkeypatch):
    """UPLOAD_DIR on a really full file system (a 256 KB tmpfs filled up; needs root), or, where
    mounting is not possible, an fsync that fails with ENOSPC as the kernel would."""
    uploads = tmp_path / "full-uploads"
    if request.param == "tmpfs":
        if not _mount_tmpfs(uploads, "256k"):
            pytest.skip("cannot mount a tmpfs here (not root or no mount permission); the 'patched' case covers it")
        request.addfinalizer(lambda: subprocess.run(["umount", "-l", str(uploads)], check=False))
        (uploads / "photos").mkdir()
        fd = os.open(uploads / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC
        finally:
            os.close(fd)
    else:
        uploads.mkdir()

        def no_space(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr("community.media.storage.os.fsync", no_space)
    app.config["UPLOAD_DIR"] = str(uploads)
    return uploads


def test_a_full_disk_gives_a_clear_error_and_leaves_nothing_half_written(app, client, auth, make_user, full_disk):
    auth.login(make_user("photographer"))
    response = post_diary(client, "公園の紅葉", photo=noisy_jpeg())
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "保存容量がいっぱい" in html
    assert 'value="公園の紅葉"' in html and "停電の日の記録です。" in html  # what was typed is kept
    assert count(DiaryEntry) == 0 and count(Photo) == 0
    leftovers = [p for p in (full_disk / "photos").rglob("*") if p.is_file()]
    assert leftovers == []  # no photo, no half-written temporary file
    # The rest of the site still works, and a post without a photo goes through.
    assert client.get("/").status_code == 200
    assert post_diary(client, "文字だけの日記").status_code == 302


def test_a_database_outage_gives_the_friendly_503_even_to_a_signed_in_member(app, client, auth, make_user,
                                                                              monkeypatch):
    """While PostgreSQL restarts every query fails, including the one that loads the signed-in
    member while the error page is drawn: the page is still the Japanese 503, never a bare 500."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    auth.login(make_user("resident"))

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("the database system is shutting down"))

    monkeypatch.setattr(Session, "execute", down)
    monkeypatch.setattr(Session, "get", down)
    for response in (client.get("/"), client.get("/diaries/new"), post_diary(client, "停電")):
        assert response.status_code == 503
        assert "混み合っているか、メンテナンス中です" in response.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503
    monkeypatch.undo()
    assert client.get("/diaries/new").status_code == 200  # back, with the same session
