"""deploy/ stays true to the code: the environment template lists every setting the code reads, the
nginx site serves every static folder the app registers and lets through the largest request the
app accepts, and every command the systemd units run exists."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SOURCES = ("app.py", "community", "search", "moderation", "kiosk")

# Keys the code reads that are not for operators: set by the app itself or by its extensions'
# fixed defaults (changing them would break it, so the template must not invite it).
INTERNAL = {
    "SQLALCHEMY_DATABASE_URI",  # derived from DATABASE_URL
    "SQLALCHEMY_TRACK_MODIFICATIONS",
    "SECRET_KEY_IS_DEVELOPMENT",  # set when the generated development key is used
    "SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "PREFERRED_URL_SCHEME",  # set by ENV=production
    "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_NAME",
    "REMEMBER_COOKIE_HTTPONLY", "REMEMBER_COOKIE_SAMESITE",
    "BABEL_DEFAULT_LOCALE", "BABEL_DEFAULT_TIMEZONE", "BABEL_TRANSLATION_DIRECTORIES", "LANGUAGES",
    "RATELIMIT_HEADERS_ENABLED", "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", "RATELIMIT_SWALLOW_ERRORS",
    "RATELIMIT_STORAGE_OPTIONS",  # the 0.5 s Redis timeouts
}

_PY_KEY = re.compile(r"""config(?:\.get|\.setdefault)?\s*[\[(]\s*["']([A-Z][A-Z0-9_]+)["']""")
_TEMPLATE_KEY = re.compile(r"""\bconfig(?:\.([A-Z][A-Z0-9_]+)|\[["']([A-Z][A-Z0-9_]+)["']\])""")
_DEFAULTS_KEY = re.compile(r"""^\s+["']([A-Z][A-Z0-9_]+)["']\s*:""", re.M)


def _files(suffix: str):
    for source in SOURCES:
        path = ROOT / source
        yield from ([path] if path.is_file() else (p for p in path.rglob(f"*{suffix}") if ".venv" not in p.parts))


def settings_read_by_code() -> set[str]:
    keys: set[str] = set()
    for path in _files(".py"):
        text = path.read_text(encoding="utf-8")
        keys.update(_PY_KEY.findall(text))
        if re.search(r"^DEFAULTS\s*=", text, re.M):  # the settings dicts (core/config.py, accounts)
            block = text.split("DEFAULTS", 1)[1].split("\n}", 1)[0]
            keys.update(_DEFAULTS_KEY.findall(block))
    for path in _files(".html"):
        for attribute, item in _TEMPLATE_KEY.findall(path.read_text(encoding="utf-8")):
            keys.add(attribute or item)
    keys.add("INSTANCE_PATH")  # app.py reads TSUNAGARI_INSTANCE_PATH from the environment itself
    return keys


def test_the_environment_template_lists_every_setting_the_code_reads():
    template = (DEPLOY / "tsunagari.env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?TSUNAGARI_([A-Z0-9_]+)=", template, re.M))
    read = settings_read_by_code()
    assert {"SECRET_KEY", "DATABASE_URL", "TWO_FACTOR_REQUIRED", "CONTACT_PHONE"} <= read  # the scan works
    missing = sorted(read - listed - INTERNAL)
    assert not missing, f"add to deploy/tsunagari.env.example (with meaning and default): {missing}"
    unknown = sorted(listed - read - {"WTF_CSRF_TIME_LIMIT"})  # Flask-WTF reads that one
    assert not unknown, f"deploy/tsunagari.env.example lists settings nothing reads: {unknown}"


def test_the_required_lines_of_the_template_are_what_production_needs():
    lines = dict(re.findall(r"^(TSUNAGARI_[A-Z0-9_]+)=(.*)$", (DEPLOY / "tsunagari.env.example").read_text(), re.M))
    assert lines["TSUNAGARI_ENV"] == "production"
    assert lines["TSUNAGARI_SECRET_KEY"] == ""  # never a usable key in the repository
    assert lines["TSUNAGARI_TRUSTED_PROXIES"] == "1"  # nginx, and only nginx, in front
    assert lines["TSUNAGARI_SEARCH_BACKEND"] == "database"


def _nginx_site() -> str:
    return (DEPLOY / "nginx" / "tsunagari.conf").read_text(encoding="utf-8")


def test_nginx_serves_every_static_folder_the_app_registers(app):
    aliases = dict(re.findall(r"location\s+(/\S*static/)\s*\{\s*alias\s+/srv/tsunagari/(\S*?);", _nginx_site()))
    expected = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            blueprint = rule.endpoint.rpartition(".")[0]
            folder = app.blueprints[blueprint].static_folder if blueprint else app.static_folder
            expected[rule.rule.split("<", 1)[0]] = Path(folder).relative_to(ROOT).as_posix() + "/"
    assert len(expected) >= 5
    assert aliases == expected


def test_nginx_accepts_the_largest_request_the_app_accepts(app):
    size = re.search(r"client_max_body_size\s+(\d+)m;", _nginx_site())
    assert size and int(size.group(1)) * 1024 * 1024 == app.config["MAX_CONTENT_LENGTH"]


def test_nginx_sends_the_headers_the_app_trusts():
    site = _nginx_site()
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header} " in site
    assert "proxy_pass http://tsunagari_app;" in site and "server 127.0.0.1:8000;" in site
    unit = (DEPLOY / "systemd" / "tsunagari.service").read_text()
    assert "GUNICORN_BIND=127.0.0.1:8000" in unit


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed here")
def test_nginx_accepts_the_site(tmp_path):
    site = _nginx_site().replace("/etc/letsencrypt/live/tsunagari.city.example.jp/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=t",  # noqa: S607
                    "-keyout", tmp_path / "privkey.pem", "-out", tmp_path / "fullchain.pem"],
                   check=True, capture_output=True)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path}/site.conf; }}\n")
    result = subprocess.run(["nginx", "-t", "-c", tmp_path / "nginx.conf", "-p", tmp_path],  # noqa: S607
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _unit_commands():
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                command = line.removeprefix("ExecStart=")
                if command.startswith("/bin/sh -c "):
                    command = shlex.split(command)[2].removeprefix("exec ")
                yield unit.name, shlex.split(command)


def test_every_timer_starts_a_unit_that_exists():
    for timer in (DEPLOY / "systemd").glob("*.timer"):
        assert timer.with_suffix(".service").exists(), timer.name


def test_every_flask_command_the_units_run_exists(app):
    runner = app.test_cli_runner()
    commands = [(name, argv) for name, argv in _unit_commands() if argv[0].endswith("/flask")]
    assert {name for name, _ in commands} >= {"tsunagari-mail.service", "tsunagari-expire.service",
                                               "tsunagari-backup.service", "tsunagari-circles-remind.service"}
    for name, argv in commands:
        words = []  # the command's path (tsunagari mail send), not its arguments
        for word in argv[1:]:
            if not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            words.append(word)
        result = runner.invoke(args=[*words, "--help"])
        assert result.exit_code == 0, f"{name}: flask {' '.join(words)}: {result.output}"
