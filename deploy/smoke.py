"""Production-shaped smoke test: a new city, from an empty database to a resident's diary that survives
a backup and a restore, over HTTP against gunicorn with the production settings.

    .venv/bin/python deploy/smoke.py [--skip-unmerged] [--postgres URL] [--redis URL]

It creates two PostgreSQL databases (the site's, and the one the backup is restored into) next to
the one in --postgres, uses its own Redis key prefix, and a temporary instance folder; it removes
all of them again, and stops gunicorn, whether the run passes or fails. Run by .ci/run.

The steps, one function each, in order (the list STEPS at the end):

 1. `flask db upgrade` and `flask tsunagari init --from docs/examples/city.toml` (password on stdin)
 2. gunicorn -c gunicorn.conf.py with TSUNAGARI_ENV=production on a free loopback port; /healthz
 3. the first administrator signs in and sets up two-factor sign-in (required in production) with
    the key the page shows (pyotp computes the codes), then signs in again with password and code
 4. [admin screens] the administrator creates a facility that verifies identity (/admin/facilities/new)
 5. [admin screens] and a staff account (/admin/staff/new), whose one-time code is shown once
 6. the staff member sets a password with the code, signs in, sets up two-factor sign-in
 7. the staff member registers a resident at the counter (/staff/register), at that facility
 8. [terms] the administrator publishes terms of use and a privacy policy (/admin/terms/...)
 9. the resident sets a password with the one-time code and signs in
10. [terms] the resident is asked to agree, and agrees (/terms/agree)
11. the resident posts a diary and finds it by search
12. `flask tsunagari backup DIR`, `flask tsunagari restore DIR --yes` into the new database: the
    diary is there, and search finds it there

Steps marked [admin screens] and [terms] need the branches that add those pages. With
--skip-unmerged they are left out: the facilities come from city.toml only, and the staff member
is a second administrator made with `flask tsunagari create-admin` (it signs in with the password
set there, then sets up two-factor sign-in the same way).

Requests go to gunicorn as nginx would send them: X-Forwarded-Proto https and X-Forwarded-Host
(TSUNAGARI_TRUSTED_PROXIES=1), so the Secure session cookie and Flask-WTF's HTTPS referrer check
work as in production.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pyotp
import redis
import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOST = "tsunagari.smoke.example"  # the name nginx would pass on in X-Forwarded-Host
DEADLINE_SECONDS = 180
TIMEOUT = 20


class SmokeFailure(Exception):
    pass


def check(condition, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


# -- HTML forms -----------------------------------------------------------------------------------

@dataclass
class Form:
    action: str
    method: str
    fields: list = field(default_factory=list)  # (kind, name, value, checked); kind "select" has options
    selects: dict = field(default_factory=dict)  # name -> [(value, label, selected)]


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            self.forms[-1].fields.append((kind, a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else ""),
                                          "checked" in a))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.forms[-1].selects[self._select] = []
        elif tag == "option" and self._select:
            self._option = [a.get("value"), "", "selected" in a]
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            value, label, selected = self._option
            self.forms[-1].selects[self._select].append((label.strip() if value is None else value, label.strip(), selected))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].fields.append(("textarea", self._textarea[0], self._textarea[1], False))
            self._textarea = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


@dataclass
class Label:
    """Choose a <select> option by its visible label (ids differ between runs)."""
    text: str


def form_data(form: Form, values: dict) -> dict:
    """What a browser sends: the defaults (hidden fields, checked boxes, the selected or first real
    option), with `values` typed over them; a checkbox named in `values` with True is ticked."""
    data: dict = {}
    for kind, name, value, checked in form.fields:
        if kind in ("checkbox", "radio"):
            if checked:
                data[name] = value
        elif kind not in ("submit", "button", "file"):
            data[name] = value
    for name, options in form.selects.items():
        chosen = [v for v, _label, selected in options if selected] or [v for v, _label, _s in options if v]
        if chosen:
            data[name] = chosen[0]
    for name, value in values.items():
        if isinstance(value, Label):
            options = form.selects.get(name, [])
            matches = [v for v, label, _s in options if value.text in label]
            check(matches, f"no option {value.text!r} in <select name={name}>: {[label for _v, label, _s in options]}")
            data[name] = matches[0]
        elif value is True:
            data[name] = next((v for k, n, v, _c in form.fields if n == name), "y")
        elif value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


# -- a browser ------------------------------------------------------------------------------------

class _LoopbackSession(requests.Session):
    """nginx terminates TLS in production; here the hop to gunicorn is plain HTTP on loopback, so
    the Secure cookies the app sets (checked in start_gunicorn) are sent back over it anyway."""

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


class Browser:
    def __init__(self, base: str, who: str):
        self.base, self.who = base, who
        self.http = _LoopbackSession()
        self.http.headers.update({
            "X-Forwarded-Proto": "https", "X-Forwarded-Host": HOST,
            "X-Forwarded-For": f"192.0.2.{secrets.randbelow(200) + 1}",  # each person their own address
            "Referer": f"https://{HOST}/", "Accept-Language": "ja",
        })

    def url(self, path: str) -> str:
        return urljoin(self.base, path)

    def get(self, path: str, params=None) -> requests.Response:
        """GET, following redirects one by one (requests' own following would not send back a
        Secure cookie set along the way)."""
        url = self.url(path)
        for _hop in range(10):
            answer = self.http.get(url, params=params, allow_redirects=False, timeout=TIMEOUT)
            if not answer.is_redirect:
                return answer
            url, params = urljoin(answer.url, answer.headers["Location"]), None
        raise SmokeFailure(f"{self.who}: more than 10 redirects from {path}")

    def submit(self, path: str, values: dict, *, having: str | None = None, expect=(302, 303),
               page: requests.Response | None = None) -> requests.Response:
        """Open `path`, fill the form that has a field named `having` (else the first POST form
        with a CSRF token), send it; fail unless the status is in `expect`."""
        page = page or self.get(path)
        check(page.status_code == 200, f"{self.who}: GET {path} answered {page.status_code}")
        candidates = [f for f in forms_of(page.text) if f.method == "post"
                      and any(n == "csrf_token" for _k, n, _v, _c in f.fields)]
        if having:
            candidates = [f for f in candidates if any(n == having for _k, n, _v, _c in f.fields) or having in f.selects]
        check(candidates, f"{self.who}: no form{f' with {having!r}' if having else ''} on {path}")
        form = candidates[0]
        target = urljoin(page.url, unescape(form.action) or page.url)
        answer = self.http.post(target, data=form_data(form, values), allow_redirects=False, timeout=TIMEOUT)
        check(answer.status_code in expect,
              f"{self.who}: POST {urlsplit(target).path} answered {answer.status_code}: {_text(answer.text)[:400]}")
        return answer

    def follow(self, answer: requests.Response) -> requests.Response:
        return self.get(answer.headers["Location"]) if answer.is_redirect else answer


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(script|style).*?</\1>", "", html))))


def _one_time_code(html: str) -> str:
    found = re.search(r'id="one-time-code"[^>]*>([^<]+)<', html)
    check(found, "the code slip shows no one-time code")
    return found.group(1).strip()


# -- the run --------------------------------------------------------------------------------------

class Run:
    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="tsunagari-smoke-"))
        token = secrets.token_hex(4)
        self.db_name, self.restore_db_name = f"smoke_{token}", f"smoke_{token}_restored"
        self.prefix = f"tsunagari-smoke-{token}"
        self.gunicorn: subprocess.Popen | None = None
        self.log = self.tmp / "gunicorn.log"
        self.base = ""
        self.passwords = {"kanri": "midori-kanri-" + secrets.token_hex(4), "madoguchi": "madoguchi-" + secrets.token_hex(4),
                          "hanako": "hanako-niwa-" + secrets.token_hex(4)}
        self.browsers: dict[str, Browser] = {}
        self.resident_code = ""
        self.staff_code = ""
        self.diary_title = f"ふれあい朝市 smoke{token}"
        self.admin_engine = None
        self.created_databases: list[str] = []

    # settings --------------------------------------------------------------------------------
    def database_url(self, name: str) -> str:
        return self.args.postgres.rsplit("/", 1)[0] + "/" + name

    def env(self, database: str | None = None) -> dict:
        return os.environ | {
            "FLASK_APP": "app:create_app",
            "TSUNAGARI_ENV": "production",
            "TSUNAGARI_SECRET_KEY": self.secret,
            "TSUNAGARI_DATABASE_URL": self.database_url(database or self.db_name),
            "TSUNAGARI_REDIS_URL": self.args.redis,
            "TSUNAGARI_RATELIMIT_KEY_PREFIX": self.prefix,
            "TSUNAGARI_SEARCH_BACKEND": "database",
            "TSUNAGARI_TRUSTED_PROXIES": "1",
            "TSUNAGARI_INSTANCE_PATH": str(self.tmp / "instance"),
            "TSUNAGARI_MAIL_SERVER": "",
        }

    secret = secrets.token_hex(32)

    def flask(self, *argv: str, stdin: str = "", database: str | None = None, timeout: int = 120) -> str:
        result = subprocess.run([str(BIN / "flask"), *argv], cwd=ROOT, env=self.env(database), input=stdin,  # noqa: S603
                                capture_output=True, text=True, timeout=timeout)
        check(result.returncode == 0, f"flask {' '.join(argv)} exited {result.returncode}: {result.stderr[-1500:]}")
        return result.stdout

    def browser(self, who: str) -> Browser:
        return self.browsers.setdefault(who, Browser(self.base, who))

    # clean-up --------------------------------------------------------------------------------
    def cleanup(self) -> None:
        if self.gunicorn is not None and self.gunicorn.poll() is None:
            os.killpg(self.gunicorn.pid, signal.SIGTERM)
            try:
                self.gunicorn.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.gunicorn.pid, signal.SIGKILL)
                self.gunicorn.wait(timeout=10)
        if self.admin_engine is not None:
            with self.admin_engine.connect() as conn:
                for name in self.created_databases:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self.admin_engine.dispose()
        try:
            client = redis.Redis.from_url(self.args.redis, socket_connect_timeout=2)
            for key in client.scan_iter(match=f"*{self.prefix}*"):
                client.delete(key)
        except redis.RedisError:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)


# -- the steps (one function each: adjust here when a page changes) -------------------------------

def create_databases(run: Run) -> str:
    url = run.args.postgres.replace("postgresql://", "postgresql+psycopg://", 1)
    run.admin_engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    with run.admin_engine.connect() as conn:
        for name in (run.db_name, run.restore_db_name):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            run.created_databases.append(name)
    redis.Redis.from_url(run.args.redis, socket_connect_timeout=3).ping()
    return f"databases {run.db_name} and {run.restore_db_name}, Redis prefix {run.prefix}"


def init_city(run: Run) -> str:
    run.flask("db", "upgrade")
    out = run.flask("tsunagari", "init", "--from", str(ROOT / "docs/examples/city.toml"), "--city", "みどり市",
                    "--admin-login", "kanri", "--admin-nickname", "管理者", "--admin-password-stdin",
                    stdin=run.passwords["kanri"] + "\n")
    return out.strip().splitlines()[-1] if out.strip() else "initialised"


def start_gunicorn(run: Run) -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    run.base = f"http://127.0.0.1:{port}/"
    env = run.env() | {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2",
                       "GUNICORN_FORWARDED_ALLOW_IPS": "127.0.0.1"}
    run.gunicorn = subprocess.Popen(  # noqa: S603 - our own command line
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "app:create_app()"], cwd=ROOT, env=env,
        stdout=run.log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        check(run.gunicorn.poll() is None, f"gunicorn exited: {run.log.read_text()[-1500:]}")
        try:
            health = requests.get(f"{run.base}healthz", timeout=2)
            if health.status_code == 200:
                break
        except requests.RequestException:
            pass
        check(time.monotonic() < deadline, "gunicorn did not answer /healthz within 60 s")
        time.sleep(0.3)
    body = health.json()
    checks = body.get("checks", {})
    check(checks.get("ratelimit") == {"ok": True, "storage": "redis"}, f"rate limits are not on Redis: {body}")
    check(checks.get("database", {}).get("dialect") == "postgresql", f"not on PostgreSQL: {body}")
    home = requests.get(run.base, headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": HOST}, timeout=TIMEOUT)
    check(home.status_code == 200 and "みどり市" in home.text, "the home page does not show the city")
    return f"{run.base} healthz {body.get('status')}"


def sign_in(browser: Browser, login_id: str, password: str, totp: pyotp.TOTP | None = None) -> None:
    answer = browser.submit("/login", {"login_id": login_id, "password": password}, having="password")
    cookie = answer.headers.get("Set-Cookie", "")
    check("Secure" in cookie and "HttpOnly" in cookie, f"{login_id}: the session cookie is not Secure/HttpOnly: {cookie}")
    if totp is not None:
        check("/login/code" in answer.headers["Location"], f"{login_id}: no code step after the password")
        # The next 30-second step: the current one may already have been used (each code works once).
        answer = browser.submit(answer.headers["Location"], {"code": totp.at(time.time() + 30)}, having="code")
    check("/login" not in answer.headers["Location"], f"{login_id}: not signed in ({answer.headers['Location']})")


def sign_out(browser: Browser) -> None:
    page = browser.get("/")
    logout = [f for f in forms_of(page.text) if f.method == "post" and f.action.endswith("/logout")]
    check(logout, f"{browser.who}: no sign-out button")
    answer = browser.http.post(browser.url(unescape(logout[0].action)), data=form_data(logout[0], {}),
                               allow_redirects=False, timeout=TIMEOUT)
    check(answer.status_code in (302, 303), f"{browser.who}: sign-out answered {answer.status_code}")


def set_up_two_factor(browser: Browser) -> pyotp.TOTP:
    """Production requires it of staff: every page leads to the set-up page until it is done."""
    page = browser.get("/")
    check("/account/two-factor" in page.url, f"{browser.who}: not sent to two-factor set-up (at {page.url})")
    key = re.search(r'id="totp-secret">([^<]+)<', page.text)
    check(key, f"{browser.who}: the set-up page shows no key")
    totp = pyotp.TOTP(key.group(1).replace(" ", ""))
    codes_page = browser.submit(page.url, {"code": totp.now()}, having="code", expect=(200,), page=page)
    codes = re.search(r'(?s)id="recovery-codes">(.*?)</ol>', codes_page.text)
    check(codes and codes.group(1).count("<code>") == 10, f"{browser.who}: the ten recovery codes are not shown")
    return totp


def admin_signs_in(run: Run) -> str:
    admin = run.browser("admin")
    sign_in(admin, "kanri", run.passwords["kanri"])
    totp = set_up_two_factor(admin)
    sign_out(admin)
    sign_in(admin, "kanri", run.passwords["kanri"], totp)
    check(admin.get("/staff/").status_code == 200, "the administrator cannot open /staff/")
    return "password, two-factor set-up, then password + code"


FACILITY = "スモーク公民館"


def admin_creates_facility(run: Run) -> str:
    admin = run.browser("admin")
    answer = admin.submit("/admin/facilities/new", {
        "name": FACILITY, "kind": "公民館", "district_id": Label("中央地区"), "address": "中央2-2-2",
        "hours": "9:00〜17:00", "phone": "000-000-0009", "verifies_identity": True, "hosts_kiosks": False,
    }, having="verifies_identity")
    check(FACILITY in admin.follow(answer).text, "the new facility is not listed")
    return FACILITY


def admin_creates_staff(run: Run) -> str:
    admin = run.browser("admin")
    slip = admin.submit("/admin/staff/new", {"login_id": "madoguchi", "nickname": "窓口担当"}, having="login_id",
                        expect=(200,))
    run.staff_code = _one_time_code(slip.text)
    return "madoguchi, one-time code shown"


def staff_made_on_command_line(run: Run) -> str:
    """Instead of the admin screens: a second administrator from `flask tsunagari create-admin`."""
    run.flask("tsunagari", "create-admin", "madoguchi", "--password-stdin", stdin=run.passwords["madoguchi"] + "\n")
    return "madoguchi via flask tsunagari create-admin"


def set_password_with_code(browser: Browser, login_id: str, code: str, password: str) -> None:
    answer = browser.submit("/password/reset", {"login_id": login_id, "code": code, "password": password,
                                                "password_again": password}, having="password_again")
    check("/login" in answer.headers["Location"], f"{login_id}: the one-time code did not set the password")


def staff_signs_in(run: Run) -> str:
    staff = run.browser("staff")
    if run.staff_code:
        set_password_with_code(staff, "madoguchi", run.staff_code, run.passwords["madoguchi"])
    sign_in(staff, "madoguchi", run.passwords["madoguchi"])
    set_up_two_factor(staff)
    return "one-time code, password, two-factor set-up" if run.staff_code else "password, two-factor set-up"


def staff_registers_resident(run: Run) -> str:
    staff = run.browser("staff")
    page = staff.get("/staff/register")
    facility = Label(FACILITY) if not run.args.skip_unmerged else None
    values = {"login_id": "hanako", "nickname": "花子", "birth_date": "1985-04-01", "district_id": Label("北地区"),
              "email": "", "birth_date_confirmed": True, "agree_terms": True}
    if facility:
        values["facility_id"] = facility
    slip = staff.submit("/staff/register", values, having="birth_date_confirmed", expect=(200,), page=page)
    run.resident_code = _one_time_code(slip.text)
    return f"hanako at {FACILITY if facility else 'the first facility offered'}"


TERMS = {"terms": ("つながり利用規約", "この規約は、つながりの利用について定めます。\n第1条（目的）\n地域のつながりを深めることを目的とします。"),
         "privacy": ("個人情報の取扱い", "みどり市は、会員の個人情報を次のとおり取り扱います。\n第1条（利用目的）\n本人確認と連絡に限ります。")}


def agree_if_asked(browser: Browser, page: requests.Response) -> requests.Response:
    """A member (administrators too) who has not agreed to the current versions is sent to the
    agreement page first; agree, and open the page asked for again."""
    if "/terms/agree" not in page.url:
        return page
    answer = browser.submit(page.url, {"agree_terms": True}, having="agree_terms", page=page)
    return browser.follow(answer)


def admin_publishes_terms(run: Run) -> str:
    admin = run.browser("admin")
    for kind, (title, body) in TERMS.items():
        admin.submit(f"/admin/terms/{kind}", {"title": title, "body": body}, having="body")
    for kind in TERMS:
        # After the first version is published the administrator is asked to agree as well.
        page = agree_if_asked(admin, admin.get(f"/admin/terms/{kind}"))
        publish = [f for f in forms_of(page.text) if f.action.endswith(f"/admin/terms/{kind}/publish")]
        check(publish, f"no publish form on /admin/terms/{kind} (at {page.url})")
        answer = admin.http.post(admin.url(unescape(publish[0].action)), data=form_data(publish[0], {}),
                                 allow_redirects=False, timeout=TIMEOUT)
        check(answer.status_code in (302, 303) and "/terms/agree" not in answer.headers["Location"],
              f"publishing {kind} answered {answer.status_code} {answer.headers.get('Location')}")
    check(run.browser("resident").get("/terms").status_code == 200, "/terms is not readable")
    return "terms of use and privacy policy, version 1"


def resident_signs_in(run: Run) -> str:
    resident = run.browser("resident")
    set_password_with_code(resident, "hanako", run.resident_code, run.passwords["hanako"])
    sign_in(resident, "hanako", run.passwords["hanako"])
    return "one-time code, then password (no two-factor for members)"


def resident_agrees_to_terms(run: Run) -> str:
    resident = run.browser("resident")
    page = resident.get("/")
    check("/terms/agree" in page.url, f"the resident was not asked to agree (at {page.url})")
    check(TERMS["terms"][0] in page.text, "the agreement page does not show the terms")
    check("/terms/agree" not in agree_if_asked(resident, page).url, "still asked to agree after agreeing")
    return "asked at the first page, agreed"


def resident_posts_and_finds_diary(run: Run) -> str:
    resident = run.browser("resident")
    answer = resident.submit("/diaries/new", {"title": run.diary_title, "body": "朝市で野菜を買いました。",
                                              "visibility": "public"}, having="title")
    entry = resident.follow(answer)
    check(run.diary_title in entry.text, "the posted diary does not show")
    found = resident.get("/search/", params={"q": run.diary_title.split()[-1]})
    check(found.status_code == 200 and run.diary_title in _text(found.text), "search does not find the diary")
    return "posted, found by search"


def backup_and_restore(run: Run) -> str:
    folder = run.tmp / "backup"
    out = run.flask("tsunagari", "backup", str(folder))
    run.flask("tsunagari", "restore", str(folder), "--yes", database=run.restore_db_name)
    engine = sa.create_engine(run.database_url(run.restore_db_name).replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            titles = conn.execute(sa.text("SELECT title FROM diary_entry")).scalars().all()
    finally:
        engine.dispose()
    check(run.diary_title in titles, f"the diary is not in the restored database: {titles}")
    found = run.flask("search", "query", run.diary_title.split()[-1], database=run.restore_db_name)
    check(run.diary_title in found, f"search in the restored database does not find it: {found[-500:]}")
    return out.strip().splitlines()[-1]


# (function, needs a branch that is not on main yet)
STEPS = [
    (create_databases, None),
    (init_city, None),
    (start_gunicorn, None),
    (admin_signs_in, None),
    (admin_creates_facility, "admin"),
    (admin_creates_staff, "admin"),
    (staff_made_on_command_line, "instead-of-admin"),
    (staff_signs_in, None),
    (staff_registers_resident, None),
    (admin_publishes_terms, "terms"),
    (resident_signs_in, None),
    (resident_agrees_to_terms, "terms"),
    (resident_posts_and_finds_diary, None),
    (backup_and_restore, None),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("TSUNAGARI_CI_POSTGRES_URL",
                                                              "postgresql://postgres@127.0.0.1:5432/test"),
                        help="a database on the server; the smoke test creates and drops two more next to it")
    parser.add_argument("--redis", default=os.environ.get("TSUNAGARI_SMOKE_REDIS_URL", "redis://127.0.0.1:6379/12"))
    parser.add_argument("--skip-unmerged", action="store_true",
                        help="leave out the steps that need the admin screens and the terms pages")
    args = parser.parse_args(argv)
    run = Run(args)
    started = time.monotonic()
    failed = None
    try:
        for step, needs in STEPS:
            if (needs in ("admin", "terms") and args.skip_unmerged) or (needs == "instead-of-admin" and not args.skip_unmerged):
                if needs != "instead-of-admin":
                    print(f"-- {step.__name__}: skipped (--skip-unmerged)", flush=True)
                continue
            check(time.monotonic() - started < DEADLINE_SECONDS, f"over {DEADLINE_SECONDS} s before {step.__name__}")
            t0 = time.monotonic()
            note = step(run)
            print(f"ok {step.__name__} ({time.monotonic() - t0:.1f} s): {note}", flush=True)
    except Exception as exc:  # noqa: BLE001 - report any failure, then clean up
        failed = f"{type(exc).__name__}: {exc}"
        if run.log.exists():
            print("-- gunicorn log (end):\n" + run.log.read_text(errors="replace")[-3000:], file=sys.stderr)
    finally:
        run.cleanup()
    elapsed = time.monotonic() - started
    if failed:
        print(f"SMOKE FAILED after {elapsed:.0f} s: {failed}", flush=True)
        return 1
    print(f"SMOKE PASSED in {elapsed:.0f} s{' (admin screens and terms steps skipped)' if args.skip_unmerged else ''}",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
