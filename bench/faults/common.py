"""Shared parts of the fault runs: a throwaway PostgreSQL cluster, the site under gunicorn, and
members who post diary entries the way a browser does (CSRF token, one submission id per form,
the same form sent again after a lost response)."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("TSUNAGARI_PG_BIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    """initdb + pg_ctl in a temporary folder on a free port (as the postgres user when run as root)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="tsunagari-faults-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True)  # noqa: S603

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        if not self.data.exists():
            self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "--auth=trust", "-U", "postgres",
                      "--encoding=UTF8", "--locale=C.UTF-8")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str = "fast") -> None:
        # -l: without a log file the new server would inherit (and hold open) our output pipe.
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-m", mode, "-w",
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "restart")

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def prepare_site(database_url: str, instance: Path, members: int, backend: str) -> None:
    """Tables, members (m0, m1, ...) and an empty search index, as `flask db upgrade` + reindex would."""
    sys.path.insert(0, str(ROOT))
    from app import create_app
    from community.accounts.models import User, normalize_login_id
    from community.accounts.passwords import hash_password
    from community.extensions import db
    from search import indexing

    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database_url,
                      "SEARCH_BACKEND": backend, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        db.create_all()
        for n in range(members):
            db.session.add(User(login_id=f"m{n}", login_key=normalize_login_id(f"m{n}"), nickname=f"会員{n}",
                                password_hash=hash_password(PASSWORD), birth_date=date(1980, 1, 1),
                                role="member", status="verified"))
        db.session.commit()
        indexing.reindex()
        db.engine.dispose()


def site_env(database_url: str, instance: Path, backend: str) -> dict[str, str]:
    return os.environ | {
        "TSUNAGARI_DATABASE_URL": database_url,
        "TSUNAGARI_INSTANCE_PATH": str(instance),
        "TSUNAGARI_SEARCH_BACKEND": backend,
        "TSUNAGARI_SECRET_KEY": "faults-" + "x" * 40,
        "TSUNAGARI_LOGIN_IP_LIMIT": "100000 per minute",
        "FLASK_APP": "app:create_app",
    }


class Gunicorn:
    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "wb")  # noqa: SIM115
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(  # noqa: S603
            # --preload: workers fork from a master that already imported the app, so a killed worker
            # is replaced in milliseconds instead of re-importing everything (as recommended in docs/deploy.md).
            [str(gunicorn), "--preload", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--timeout", "60", "--graceful-timeout", "5", "app:create_app()"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.3)

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@dataclass
class Outcome:
    attempts: int = 0
    confirmed: dict[str, int] = field(default_factory=dict)  # title -> entry id the site gave
    already_sent: int = 0  # a resend answered "already sent" (303)
    retries: int = 0
    unresolved: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    friendly_503: int = 0
    timeline: list[tuple[float, str]] = field(default_factory=list)  # (time, "ok"|"503"|"conn"|"500"...)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, status: str, at: float) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.timeline.append((at, status))


class Member:
    """A logged-in browser that writes diary entries and, when a response is lost, sends the same
    form again (same submission id), as a person pressing the button again would."""

    def __init__(self, base: str, login_id: str) -> None:
        self.base = base
        self.http = requests.Session()
        for _ in range(50):
            with contextlib.suppress(requests.RequestException):
                token = self._token("/login")
                response = self.http.post(f"{base}/login", data={"csrf_token": token, "login_id": login_id,
                                                                 "password": PASSWORD}, allow_redirects=False, timeout=30)
                if response.status_code == 302:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{login_id} could not log in")
        self.csrf = self._token("/diaries/new")

    def _token(self, path: str) -> str:
        html = self.http.get(f"{self.base}{path}", timeout=30).text
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    def post(self, title: str, outcome: Outcome, started: float, *, double: bool = False, tries: int = 60,
             protected: bool = True) -> None:
        data = {"csrf_token": self.csrf, "title": title, "body": f"{title} の本文。今日は公園を散歩しました。",
                "visibility": "members"}
        if protected:  # the form's hidden submission id (without it: the control run, duplicates expected)
            data["submission_id"] = secrets.token_urlsafe(24)
        sends = 2 if double else 1
        with outcome.lock:
            outcome.attempts += 1
        for attempt in range(tries):
            if attempt:
                with outcome.lock:
                    outcome.retries += 1
                time.sleep(min(0.1 * attempt, 1.0))
            try:
                response = self.http.post(f"{self.base}/diaries/new", data=data, allow_redirects=False, timeout=30)
            except requests.RequestException:
                outcome.note("connection error", time.monotonic() - started)
                continue
            code = response.status_code
            if code == 503 and "メンテナンス" in response.text:
                with outcome.lock:
                    outcome.friendly_503 += 1
            outcome.note(str(code), time.monotonic() - started)
            if code in (302, 303):
                # 303 "already sent" counts as a success the member saw, even when the worker died
                # before it could remember the entry's address (then the site shows the form again).
                match = re.search(r"/diaries/(\d+)", response.headers.get("Location", ""))
                with outcome.lock:
                    if code == 303:
                        outcome.already_sent += 1
                    outcome.confirmed[title] = int(match.group(1)) if match else None
                if code == 302 and sends > 1:
                    sends -= 1
                    continue  # the double click: send the very same form once more
                return
        with outcome.lock:
            outcome.unresolved.append(title)


def check_database(database_url: str, instance: Path, backend: str, outcome: Outcome, prefix: str,
                   drain_wait: float = 120.0) -> dict:
    """Every confirmed post exists exactly once; nothing is there twice; the index catches up."""
    from sqlalchemy import func, select

    from app import create_app
    from community.diaries.models import DiaryEntry
    from community.extensions import db
    from search import indexing

    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database_url,
                      "SEARCH_BACKEND": backend})
    with app.app_context():
        rows = db.session.execute(
            select(DiaryEntry.title, func.count()).where(DiaryEntry.title.like(f"{prefix}%")).group_by(DiaryEntry.title)
        ).all()
        counts = dict(rows)
        lost = sorted(t for t in outcome.confirmed if counts.get(t, 0) == 0)
        duplicates = sorted(t for t, n in counts.items() if n > 1)
        unresolved_present = sum(1 for t in outcome.unresolved if counts.get(t))
        started = time.monotonic()
        while indexing.outbox_size() and time.monotonic() - started < drain_wait:
            db.session.remove()
            time.sleep(0.5)
        outbox_left = indexing.outbox_size()
        drained_after = time.monotonic() - started
        report = indexing.check()
        db.engine.dispose()
    return {
        "rows": sum(counts.values()),
        "lost": lost,
        "duplicates": duplicates,
        "unresolved_present": unresolved_present,
        "outbox_left": outbox_left,
        "outbox_drained_after_s": round(drained_after, 1),
        "index_missing": len(report.missing),
        "index_stale": len(report.stale),
        "index_extra": len(report.extra),
    }
