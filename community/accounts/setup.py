"""Starting a real city: `flask tsunagari init` and `flask tsunagari create-admin`.

The services check everything before they add a row and only flush; the commands commit once, so
bad input writes nothing. "The database already has a city" means: the site settings row exists,
or any administrator, or any district (the demo city has both, so init refuses it too).
"""

from __future__ import annotations

import sys
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import click
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select

from community import audit
from community.accounts.forms import _PASSWORD_MESSAGES, LOGIN_ID_RE
from community.accounts.models import (
    FACILITY_KINDS,
    AccountStatus,
    District,
    Facility,
    Role,
    User,
    UserSession,
    normalize_login_id,
)
from community.accounts.passwords import hash_password, password_problems
from community.accounts.services import (
    AccountError,
    clear_failures,
    find_by_login_id,
    login_id_taken,
    parse_birth_date,
)
from community.core.database import utcnow
from community.core.settings import save_site_settings, settings_row
from community.extensions import db

# The account a server operator makes is not a resident's: without --admin-birth-date it gets this
# placeholder, which only keeps it out of the rules for minors.
ADMIN_PLACEHOLDER_BIRTH_DATE = date(1900, 1, 1)
DEFAULT_ADMIN_NICKNAME = "管理者"

_FACILITY_KEYS = {"name", "kind", "address", "hours", "phone", "district", "verifies_identity", "hosts_kiosks"}
_LIMITS = {"name": 80, "address": 200, "hours": 200, "phone": 40}  # Facility's column lengths


class SetupError(AccountError):
    """Bad input for init or create-admin; the message is shown as it is."""


@dataclass
class FacilitySpec:
    name: str
    kind: str
    address: str = ""
    hours: str = ""
    phone: str = ""
    district: str = ""
    verifies_identity: bool = True
    hosts_kiosks: bool = True


@dataclass
class CitySpec:
    city_name: str = ""
    city_website: str = ""
    districts: list[str] = field(default_factory=list)
    facilities: list[FacilitySpec] = field(default_factory=list)


# --- reading and checking ------------------------------------------------------------------------

def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise SetupError(_l("%(where)s must be text in quotes.", where=where))
    return value.strip()  # as typed: NFKC would turn the city's （全角） into (半角)


def read_city_file(data: bytes) -> CitySpec:
    """Parse a city.toml (docs/examples/city.toml); structure errors raise SetupError."""
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise SetupError(_l("The city file is not UTF-8 text.")) from None
    except tomllib.TOMLDecodeError as error:
        raise SetupError(_l("The city file is not valid TOML: %(error)s", error=str(error))) from None
    unknown = set(doc) - {"city", "districts", "facilities"}
    if unknown:
        raise SetupError(_l("Unknown key in the city file: %(key)s", key=", ".join(sorted(unknown))))
    spec = CitySpec()
    city = doc.get("city", {})
    if isinstance(city, dict) and {"districts", "facilities"} & set(city):
        # TOML puts every key after [city] into [city]: a common slip.
        raise SetupError(_l("Put the districts = [...] line before [city] (TOML puts the keys after [city] into it)."))
    if not isinstance(city, dict) or set(city) - {"name", "website"}:
        raise SetupError(_l("[city] may only have name and website."))
    spec.city_name = _text(city.get("name", ""), "[city] name")
    spec.city_website = _text(city.get("website", ""), "[city] website")
    districts = doc.get("districts", [])
    if not isinstance(districts, list):
        raise SetupError(_l("districts must be a list of names, e.g. districts = [\"中央地区\", \"北地区\"]."))
    spec.districts = [_text(name, "districts") for name in districts]
    facilities = doc.get("facilities", [])
    if not isinstance(facilities, list) or not all(isinstance(f, dict) for f in facilities):
        raise SetupError(_l("Each facility must be a [[facilities]] table."))
    for number, item in enumerate(facilities, start=1):
        where = f"[[facilities]] {number}"
        unknown = set(item) - _FACILITY_KEYS
        if unknown:
            raise SetupError(_l("Unknown key in %(where)s: %(key)s", where=where, key=", ".join(sorted(unknown))))
        flags = {}
        for flag in ("verifies_identity", "hosts_kiosks"):
            value = item.get(flag, True)
            if not isinstance(value, bool):
                raise SetupError(_l("%(where)s: %(key)s must be true or false.", where=where, key=flag))
            flags[flag] = value
        spec.facilities.append(FacilitySpec(
            **{key: _text(item.get(key, ""), f"{where} {key}")
               for key in ("name", "kind", "address", "hours", "phone", "district")},
            **flags,
        ))
    return spec


def check_city(spec: CitySpec) -> None:
    """Every rule for the city's data, checked before anything is written."""
    if not spec.city_name:
        raise SetupError(_l("Please give the city's name (--city or [city] name)."))
    if len(spec.city_name) > 40:
        raise SetupError(_l("The city's name can be at most 40 characters long."))
    if spec.city_website:
        parts = urlsplit(spec.city_website)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(spec.city_website) > 500:
            raise SetupError(_l("The city's web site must be an address starting with https:// or http://."))
    seen: set[str] = set()
    for name in spec.districts:
        if not name or len(name) > 40:
            raise SetupError(_l("A district's name must be 1 to 40 characters long."))
        if name in seen:
            raise SetupError(_l("The district %(name)s is listed twice.", name=name))
        seen.add(name)
    names: set[str] = set()
    for facility in spec.facilities:
        if not facility.name:
            raise SetupError(_l("Every facility needs a name."))
        if facility.name in names:
            raise SetupError(_l("The facility %(name)s is listed twice.", name=facility.name))
        names.add(facility.name)
        if facility.kind not in FACILITY_KINDS:
            raise SetupError(_l(
                "The facility %(name)s has the unknown kind %(kind)s; use one of %(kinds)s.",
                name=facility.name, kind=facility.kind or "(none)", kinds="、".join(FACILITY_KINDS),
            ))
        if facility.district and facility.district not in seen:
            raise SetupError(_l(
                "The facility %(name)s is in the district %(district)s, which is not in the list of districts.",
                name=facility.name, district=facility.district,
            ))
        for key, limit in _LIMITS.items():
            if len(getattr(facility, key)) > limit:
                raise SetupError(_l("The facility %(name)s: %(key)s can be at most %(limit)s characters long.",
                                    name=facility.name, key=key, limit=limit))


def check_admin(login_id: str, password: str, nickname: str) -> None:
    if not LOGIN_ID_RE.match(normalize_login_id(login_id or "")):
        raise SetupError(_l(
            "Use 3 to 32 letters (a–z), digits, dots, hyphens or underscores, starting with a letter or digit."
        ))
    if not nickname or len(nickname) > 20:
        raise SetupError(_l("The administrator's nickname must be 1 to 20 characters long."))
    for problem in password_problems(password, login_id):
        raise SetupError(_PASSWORD_MESSAGES[problem])


def has_city() -> bool:
    return (
        settings_row() is not None
        or db.session.scalar(select(exists().where(User.role == Role.admin.value)))
        or db.session.scalar(select(exists().select_from(District)))
    )


# --- writing -------------------------------------------------------------------------------------

def _new_admin(login_id: str, password: str, nickname: str, birth_date: date) -> User:
    now = utcnow()
    user = User(
        login_id=unicodedata.normalize("NFKC", login_id).strip(),
        login_key=normalize_login_id(login_id),
        nickname=nickname,
        password_hash=hash_password(password),
        birth_date=birth_date,
        role=Role.admin.value,
        status=AccountStatus.verified.value,
        applied_at=now,
        verified_at=now,
    )
    db.session.add(user)
    db.session.flush()
    return user


def init_city(
    spec: CitySpec, *, login_id: str, password: str, nickname: str = DEFAULT_ADMIN_NICKNAME,
    birth_date: date = ADMIN_PLACEHOLDER_BIRTH_DATE,
) -> User:
    """Set up an empty database for a city; returns the first administrator. Flushes only."""
    if has_city():
        raise SetupError(_l("This database already has a city. Nothing was changed."))
    check_city(spec)
    check_admin(login_id, password, nickname)
    if login_id_taken(login_id):  # members without a city: a database from an interrupted setup
        raise SetupError(_l("This login ID is already in use. Please choose another one."))
    save_site_settings(city_name=spec.city_name, city_website=spec.city_website)
    districts = {}
    for order, name in enumerate(spec.districts):
        districts[name] = District(name=name, sort_order=order)
        db.session.add(districts[name])
    for f in spec.facilities:
        db.session.add(Facility(
            name=f.name, kind=f.kind, address=f.address, hours=f.hours, phone=f.phone,
            district=districts.get(f.district), verifies_identity=f.verifies_identity, hosts_kiosks=f.hosts_kiosks,
        ))
    admin = _new_admin(login_id, password, nickname, birth_date)
    audit.record(
        "site.init", actor=admin, target_type="site", city=spec.city_name, website=spec.city_website,
        districts=len(spec.districts), facilities=len(spec.facilities), admin=admin.login_id, via="command line",
    )
    return admin


def create_or_recover_admin(
    login_id: str, password: str, *, nickname: str = DEFAULT_ADMIN_NICKNAME,
    birth_date: date = ADMIN_PLACEHOLDER_BIRTH_DATE,
) -> tuple[User, bool]:
    """A new administrator, or for an existing login ID: a new password, no lockout, the admin role.

    Returns (user, created). Flushes only.
    """
    check_admin(login_id, password, nickname)
    user = find_by_login_id(login_id)
    if user is None:
        user = _new_admin(login_id, password, nickname, birth_date)
        audit.record("account.admin_created", target_type="user", target_id=user.id, via="command line")
        return user, True
    if user.status == AccountStatus.withdrawn.value:
        raise SetupError(_l("This account was withdrawn (退会) and cannot be used again. Choose another login ID."))
    previous = user.role
    user.role = Role.admin.value
    user.password_hash = hash_password(password)
    # Whoever knew the old password is signed out; the lockout ends now.
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    clear_failures(user.login_key)
    clear_failures("reset:" + user.login_key)
    db.session.flush()
    audit.record("account.admin_recovered", target_type="user", target_id=user.id, previous_role=previous,
                 via="command line")
    return user, False


# --- the commands --------------------------------------------------------------------------------

def _fail(message) -> None:
    click.echo(f"エラー: {message}", err=True)
    raise SystemExit(1)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line from standard input, e.g. `printf '%s\n' "$PASSWORD" | flask tsunagari init ...`.
        return sys.stdin.readline().rstrip("\r\n")
    first = click.prompt("管理者のパスワード（8文字以上。表示されません）", hide_input=True, default="",
                         show_default=False)
    second = click.prompt("もう一度同じパスワード", hide_input=True, default="", show_default=False)
    if first != second:
        _fail("2回入力したパスワードが一致しません。何も変更していません。")
    return first


def _birth_date(value: str | None) -> date:
    if not value:
        return ADMIN_PLACEHOLDER_BIRTH_DATE
    try:
        return parse_birth_date(value)
    except AccountError as error:
        raise SetupError(error.message) from None


def _ask_facilities(districts: list[str]) -> list[FacilitySpec]:
    facilities = []
    while True:
        name = click.prompt("施設の名前（終わるときは空のまま Enter）", default="", show_default=False).strip()
        if not name:
            return facilities
        facilities.append(FacilitySpec(
            name=name,
            kind=click.prompt("種類", type=click.Choice(FACILITY_KINDS), show_choices=True).strip(),
            address=click.prompt("住所", default="", show_default=False).strip(),
            hours=click.prompt("開館時間", default="", show_default=False).strip(),
            phone=click.prompt("電話番号", default="", show_default=False).strip(),
            district=click.prompt(f"地区（{'、'.join(districts)}。空でも可）" if districts else "地区（空でも可）",
                                  default="", show_default=False).strip(),
            verifies_identity=click.confirm("この施設で本人確認をしますか", default=True),
            hosts_kiosks=click.confirm("この施設にキオスク端末を置きますか", default=True),
        ))


def _split_names(line: str) -> list[str]:
    line = line.replace("、", ",").replace("，", ",")
    return [name.strip() for name in line.split(",") if name.strip()]


@click.command("init")
@click.option("--city", "city_name", help="The city's name, e.g. みどり市 (overrides [city] name).")
@click.option("--city-website", help="The city's official web site (where `flask citypages crawl` starts).")
@click.option("--from", "city_file", type=click.File("rb"), help="A city.toml with districts and facilities.")
@click.option("--admin-login", help="Login ID of the first administrator.")
@click.option("--admin-nickname", help=f"Nickname shown for the administrator (default {DEFAULT_ADMIN_NICKNAME}).")
@click.option("--admin-birth-date", help="YYYY-MM-DD (default: a placeholder, 1900-01-01).")
@click.option("--admin-password-stdin", is_flag=True,
              help="Read the password from the first line of standard input and ask nothing.")
def init_command(city_name, city_website, city_file, admin_login, admin_nickname, admin_birth_date,
                 admin_password_stdin) -> None:
    """Set up an empty database for a real city (Japanese prompts for whatever is not given)."""
    with force_locale("ja"):
        try:
            if has_city():
                raise SetupError(_l("This database already has a city. Nothing was changed."))
            spec = read_city_file(city_file.read()) if city_file else CitySpec()
            interactive = not admin_password_stdin
            if city_name:
                spec.city_name = city_name.strip()
            if city_website is not None:
                spec.city_website = city_website.strip()
            if interactive:
                if not spec.city_name:
                    spec.city_name = click.prompt("市の名前（例: みどり市）").strip()
                if city_website is None and not spec.city_website:
                    spec.city_website = click.prompt("市の公式サイトのURL（空でも可）", default="",
                                                     show_default=False).strip()
                if city_file is None:
                    spec.districts = _split_names(click.prompt(
                        "地区の名前を「、」で区切って（例: 中央地区、北地区。空でも可）", default="", show_default=False))
                    spec.facilities = _ask_facilities(spec.districts)
                admin_login = admin_login or click.prompt("最初の管理者のログインID").strip()
                admin_nickname = admin_nickname or click.prompt(
                    "管理者のニックネーム", default=DEFAULT_ADMIN_NICKNAME).strip()
            elif not admin_login:
                raise SetupError(_l("Please give --admin-login."))
            check_city(spec)  # before the password is asked
            password = _read_password(admin_password_stdin)
            admin = init_city(spec, login_id=admin_login, password=password,
                              nickname=(admin_nickname or DEFAULT_ADMIN_NICKNAME).strip(),
                              birth_date=_birth_date(admin_birth_date))
        except SetupError as error:
            db.session.rollback()
            _fail(error.message)
        db.session.commit()
    click.echo(f"{spec.city_name}を設定しました: 地区 {len(spec.districts)}、施設 {len(spec.facilities)}、"
               f"管理者 {admin.login_id}。")
    if not spec.facilities:
        click.echo("施設がまだありません。本人確認をするには施設が必要です。")


@click.command("create-admin")
@click.argument("login_id")
@click.option("--nickname", help=f"Nickname for a new administrator (default {DEFAULT_ADMIN_NICKNAME}).")
@click.option("--birth-date", help="YYYY-MM-DD for a new administrator (default: a placeholder, 1900-01-01).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def create_admin_command(login_id, nickname, birth_date, password_stdin) -> None:
    """Add an administrator, or give an existing login ID a new password, unlocked, as administrator."""
    with force_locale("ja"):
        try:
            password = _read_password(password_stdin)
            user, created = create_or_recover_admin(
                login_id, password, nickname=(nickname or DEFAULT_ADMIN_NICKNAME).strip(),
                birth_date=_birth_date(birth_date),
            )
        except SetupError as error:
            db.session.rollback()
            _fail(error.message)
        db.session.commit()
    if created:
        click.echo(f"管理者 {user.login_id} を作成しました。")
    else:
        click.echo(f"{user.login_id} のパスワードを設定し直し、ロックを解除しました（役割: 管理者）。")
