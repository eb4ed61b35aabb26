"""Two gunicorn instances, one PostgreSQL, one Redis: they serve one site.

Each instance gets its own instance/ folder (nothing shared on local disk but the configured
upload directory, standing in for shared storage). A session started on one is valid on the other
(and ended on both by logging out of either), the per-IP login limit counts across both, a post
made through one is found by search through the other, and its photo is served by the other.

Skipped (with the reason) when PostgreSQL or Redis is unreachable. Uses its own schema and its
own Redis key prefix, and removes both afterwards (never FLUSHALL: Redis is shared).
"""

from __future__ import annotations

import io
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from PIL import Image

requests = pytest.importorskip("requests")
redis = pytest.importorskip("redis")

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
PASSWORD = "correct horse battery"


def _postgres_url() -> str:
    url = os.environ.get("TSUNAGARI_TEST_DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = os.environ.get("TSUNAGARI_SCALE_OUT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    url = url.replace("postgres://", "postgresql://", 1)
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def _redis_url() -> str:
    # A database number of its own on the shared Redis, and a key prefix per run on top.
    return os.environ.get("TSUNAGARI_SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/11")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def services():
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed in this environment")
    base = _postgres_url()
    try:
        engine = sa.create_engine(base, connect_args={"connect_timeout": 3})
        with engine.begin() as conn:
            schema = f"so_{os.getpid()}_{secrets.token_hex(3)}"
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"PostgreSQL is unreachable at {base.split('@')[-1]}: {exc.__class__.__name__}")
    client = redis.Redis.from_url(_redis_url(), socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        pytest.skip(f"Redis is unreachable at {_redis_url()}: {exc.__class__.__name__}")
    prefix = f"tsunagari-test-{secrets.token_hex(4)}"
    url = f"{base}?options={quote(f'-csearch_path={schema}')}"
    yield {"database_url": url, "redis": client, "prefix": prefix}
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="module")
def site(services, tmp_path_factory):
    """The schema, one member, and two gunicorn instances on free ports."""
    from app import create_app
    from community.accounts.models import User, normalize_login_id
    from community.accounts.passwords import hash_password
    from community.extensions import db

    shared_uploads = tmp_path_factory.mktemp("shared-uploads")
    settings = {
        "TSUNAGARI_DATABASE_URL": services["database_url"],
        "TSUNAGARI_REDIS_URL": _redis_url(),
        "TSUNAGARI_RATELIMIT_KEY_PREFIX": services["prefix"],
        "TSUNAGARI_SEARCH_BACKEND": "database",
        "TSUNAGARI_SECRET_KEY": secrets.token_hex(32),
        "TSUNAGARI_UPLOAD_DIR": str(shared_uploads),
        "TSUNAGARI_LOGIN_IP_LIMIT": "6 per 10 minutes",
    }
    setup = create_app({
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("setup")), "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SQLALCHEMY_DATABASE_URI": services["database_url"], "SEARCH_BACKEND": "database",
    })
    with setup.app_context():
        db.create_all()
        db.session.add(User(login_id="hanako", login_key=normalize_login_id("hanako"), nickname="花子",
                            password_hash=hash_password(PASSWORD), birth_date=date(1980, 1, 1), role="member",
                            status="verified"))
        db.session.commit()
        db.engine.dispose()

    processes, urls = [], []
    for name in ("a", "b"):
        port = _free_port()
        env = os.environ | settings | {"TSUNAGARI_INSTANCE_PATH": str(tmp_path_factory.mktemp(f"instance-{name}"))}
        log = open(tmp_path_factory.mktemp(f"log-{name}") / "gunicorn.log", "wb")  # noqa: SIM115
        processes.append((subprocess.Popen(  # noqa: S603 - our own command line
            [str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True), log))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        for url in urls:
            while True:
                try:
                    if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn at {url} did not start; see {processes[urls.index(url)][1].name}")
                time.sleep(0.2)
        yield urls
    finally:
        for process, _log in processes:
            os.killpg(process.pid, signal.SIGKILL)  # the master and its worker: nothing to finish here
        for process, log in processes:
            process.wait(timeout=10)
            log.close()


def csrf(session, url) -> str:
    html = session.get(url, timeout=10).text
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


LOGIN_LIMIT = 6
_login_posts = []  # every POST /login of this module counts against the per-IP limit


def login(session, base, login_id="hanako", password=PASSWORD):
    token = csrf(session, f"{base}/login")
    _login_posts.append(base)
    return session.post(f"{base}/login", data={"csrf_token": token, "login_id": login_id, "password": password},
                        allow_redirects=False, timeout=10)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 120, 30)).save(out, "JPEG")
    return out.getvalue()


def test_a_session_started_on_one_instance_is_valid_on_the_other(site):
    a, b = site
    browser = requests.Session()
    assert login(browser, a).status_code == 302
    page = browser.get(f"{b}/diaries/new", allow_redirects=False, timeout=10)
    assert page.status_code == 200 and "花子" in page.text
    # Logging out on B ends the server-side session for A too.
    assert browser.post(f"{b}/logout", data={"csrf_token": csrf(browser, f"{b}/diaries/new")},
                        allow_redirects=False, timeout=10).status_code == 302
    stolen = requests.Session()
    stolen.cookies.update(browser.cookies)
    assert stolen.get(f"{a}/diaries/new", allow_redirects=False, timeout=10).status_code == 302  # to the login page


def test_a_post_through_one_is_found_and_its_photo_served_through_the_other(site):
    a, b = site
    browser = requests.Session()
    assert login(browser, a).status_code == 302
    tag = f"asaichi{secrets.token_hex(3)}"
    posted = browser.post(
        f"{a}/diaries/new",
        data={"csrf_token": csrf(browser, f"{a}/diaries/new"), "title": f"ふれあい朝市 {tag}", "body": "野菜を買いました。",
              "visibility": "public"},
        files={"photos": ("p.jpg", jpeg(), "image/jpeg")}, allow_redirects=False, timeout=30)
    assert posted.status_code == 302, posted.text[:300]
    location = urlsplit(posted.headers["Location"])
    entry_page = requests.get(f"{b}{location.path}?{location.query}", timeout=10).text
    photo = re.search(r'/photos/([A-Za-z0-9_-]+)/display', entry_page).group(0)
    assert requests.get(f"{b}{photo}", timeout=10).status_code == 200
    found = requests.get(f"{b}/search/", params={"q": f"朝市 {tag}"}, timeout=10)
    assert found.status_code == 200
    assert f"ふれあい朝市 {tag}" in re.sub(r"<[^>]+>", "", found.text)  # (the words are highlighted)


def test_the_login_limit_counts_requests_to_both_instances(site, services):
    a, b = site
    allowed = LOGIN_LIMIT - len(_login_posts)  # what the other tests of this module left
    assert allowed >= 2
    statuses = []
    for attempt in range(allowed + 4):  # a new unknown login ID each time: only the per-IP limit applies
        statuses.append(login(requests.Session(), (a, b)[attempt % 2], f"nobody{attempt}", "wrong").status_code)
    # Alternating between A and B, the limit is reached after `allowed` attempts in total, then both refuse.
    assert statuses == [400] * allowed + [429] * 4
    assert any(services["redis"].scan_iter(match=f"*{services['prefix']}*"))  # the counter lives in Redis
