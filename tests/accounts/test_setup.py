"""`flask tsunagari init` starts a real city; `flask tsunagari create-admin` adds or recovers an admin."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from community.accounts.models import District, Facility, LoginFailure, Role, User, UserSession
from community.audit import AuditLog
from community.core.settings import SiteSettings, site_settings
from community.extensions import db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "city.toml"
ADMIN_PASSWORD = "kanrisha-no-pasuwaado-7"

CITY_TOML = """
districts = ["本町地区", "川辺地区"]

[city]
name = "あおば市"
website = "https://www.city.aoba.example.jp/"

[[facilities]]
name = "あおば市役所"
kind = "市役所"
address = "本町1-1"
hours = "平日 8:30〜17:15"
phone = "000-111-2222"
district = "本町地区"
hosts_kiosks = false

[[facilities]]
name = "川辺公民館"
kind = "公民館"
district = "川辺地区"
verifies_identity = false
"""


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _nothing_written() -> None:
    db.session.expire_all()
    assert [_count(m) for m in (SiteSettings, District, Facility, User, AuditLog)] == [0, 0, 0, 0, 0]


def _init(runner, tmp_path, toml: str = CITY_TOML, *extra: str, password: str = ADMIN_PASSWORD):
    path = tmp_path / "city.toml"
    path.write_text(toml, encoding="utf-8")
    return runner.invoke(
        args=["tsunagari", "init", "--admin-login", "city-admin", "--admin-password-stdin", "--from", str(path),
              *extra],
        input=password + "\n",
    )


def test_scripted_init_sets_up_the_city_and_its_administrator_can_sign_in(runner, client, auth, tmp_path):
    result = _init(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "あおば市を設定しました" in result.output

    assert site_settings().city_name == "あおば市"
    assert site_settings().city_website == "https://www.city.aoba.example.jp/"
    assert [d.name for d in db.session.scalars(select(District).order_by(District.sort_order))] == ["本町地区", "川辺地区"]
    hall, kominkan = db.session.scalars(select(Facility).order_by(Facility.id)).all()
    assert (hall.name, hall.kind, hall.address, hall.hours, hall.phone, hall.district.name) == (
        "あおば市役所", "市役所", "本町1-1", "平日 8:30〜17:15", "000-111-2222", "本町地区")
    assert (hall.verifies_identity, hall.hosts_kiosks) == (True, False)
    assert (kominkan.verifies_identity, kominkan.hosts_kiosks) == (False, True)
    admin = db.session.scalar(select(User))
    assert (admin.login_id, admin.role, admin.is_verified) == ("city-admin", Role.admin.value, True)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "site.init"))
    assert entry.actor_id == admin.id
    assert entry.detail_data["city"] == "あおば市"

    assert auth.login("city-admin", ADMIN_PASSWORD).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "あおば市" in home and "みどり市" not in home  # the city's name replaces the configured one
    assert client.get("/staff/").status_code == 200


def test_the_documented_example_file_is_accepted(runner, tmp_path):
    result = _init(runner, tmp_path, EXAMPLE.read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.output
    assert _count(Facility) == 4


def test_command_line_city_overrides_the_file(runner, tmp_path):
    result = _init(runner, tmp_path, CITY_TOML, "--city", "みなみ市")
    assert result.exit_code == 0, result.output
    assert site_settings().city_name == "みなみ市"


def test_init_refuses_a_database_that_has_a_city(runner, tmp_path):
    assert _init(runner, tmp_path).exit_code == 0
    before = [_count(m) for m in (District, Facility, User, AuditLog)]
    again = _init(runner, tmp_path, CITY_TOML.replace("あおば市", "べつの市"))
    assert again.exit_code == 1
    assert "すでに" in again.output
    db.session.expire_all()
    assert [_count(m) for m in (District, Facility, User, AuditLog)] == before
    assert site_settings().city_name == "あおば市"


def test_init_refuses_the_demo_city(runner, tmp_path):
    assert runner.invoke(args=["tsunagari", "demo"]).exit_code == 0
    users = _count(User)
    result = _init(runner, tmp_path)
    assert result.exit_code == 1
    assert "すでに" in result.output
    assert _count(User) == users


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[city\nname = 'x'", "TOML"),
        (CITY_TOML.replace('kind = "公民館"', 'kind = "体育館"'), "体育館"),
        (CITY_TOML.replace('district = "川辺地区"', 'district = "山手地区"'), "山手地区"),
        (CITY_TOML.replace("hosts_kiosks = false", "hosts_kiosk = false"), "hosts_kiosk"),
        (CITY_TOML.replace('website = "https://www.city.aoba.example.jp/"', 'website = "www.city.aoba"'), "https://"),
        (CITY_TOML.replace('name = "あおば市"', ""), "--city"),
    ],
    ids=["bad-toml", "unknown-kind", "undefined-district", "unknown-key", "bad-website", "no-city-name"],
)
def test_bad_city_file_writes_nothing(runner, tmp_path, toml, message):
    result = _init(runner, tmp_path, toml)
    assert result.exit_code == 1
    assert "エラー:" in result.output and message in result.output
    _nothing_written()


def test_unknown_kind_message_is_japanese(runner, tmp_path):
    result = _init(runner, tmp_path, CITY_TOML.replace('kind = "公民館"', 'kind = "体育館"'))
    assert "川辺公民館の種類「体育館」" in result.output


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "8文字以上"), ("password123", "よく使われて"), ("city-admin", "ログインID")],
)
def test_weak_password_writes_nothing(runner, tmp_path, password, message):
    result = _init(runner, tmp_path, password=password)
    assert result.exit_code == 1
    assert message in result.output
    _nothing_written()


def test_interactive_init_asks_in_japanese(runner, client, auth):
    answers = [
        "あおば市",  # 市の名前
        "",  # web site
        "本町地区、川辺地区",
        "あおば市役所", "市役所", "本町1-1", "平日 8:30〜17:15", "000-111-2222", "本町地区", "y", "n",
        "",  # no more facilities
        "city-admin", "管理者",
        ADMIN_PASSWORD, ADMIN_PASSWORD,
    ]
    result = runner.invoke(args=["tsunagari", "init"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "市の名前" in result.output and "管理者のパスワード" in result.output
    assert ADMIN_PASSWORD not in result.output  # never echoed
    facility = db.session.scalar(select(Facility))
    assert (facility.name, facility.district.name, facility.verifies_identity, facility.hosts_kiosks) == (
        "あおば市役所", "本町地区", True, False)
    assert _count(District) == 2
    assert auth.login("city-admin", ADMIN_PASSWORD).status_code == 302


def test_interactive_mismatched_passwords_write_nothing(runner, tmp_path):
    path = tmp_path / "city.toml"
    path.write_text(CITY_TOML, encoding="utf-8")
    answers = ["city-admin", "管理者", ADMIN_PASSWORD, ADMIN_PASSWORD + "x"]
    result = runner.invoke(args=["tsunagari", "init", "--from", str(path)], input="\n".join(answers) + "\n")
    assert result.exit_code == 1
    assert "一致しません" in result.output
    _nothing_written()


# --- create-admin --------------------------------------------------------------------------------

def _create_admin(runner, login_id: str, password: str = ADMIN_PASSWORD):
    return runner.invoke(args=["tsunagari", "create-admin", login_id, "--password-stdin"], input=password + "\n")


def test_create_admin_adds_an_administrator(runner, auth):
    result = _create_admin(runner, "second-admin")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.login_key == "second-admin"))
    assert user.role == Role.admin.value and user.is_verified
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.target_id == user.id)) == "account.admin_created"
    assert auth.login("second-admin", ADMIN_PASSWORD).status_code == 302


def test_create_admin_recovers_a_locked_out_administrator(app, runner, client, auth, make_user):
    admin = make_user("forgetful", role=Role.admin)
    for _ in range(app.config["LOGIN_FAILURE_LIMIT"]):
        auth.login("forgetful", "not-the-password")
    assert auth.login("forgetful").status_code != 302  # locked out, even with its old password

    result = _create_admin(runner, "forgetful")
    assert result.exit_code == 0, result.output
    assert "ロックを解除しました" in result.output
    assert _count(LoginFailure) == 0
    assert auth.login("forgetful", ADMIN_PASSWORD).status_code == 302
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "account.admin_recovered"))
    assert entry.target_id == admin.id


def test_create_admin_recovery_makes_the_account_an_administrator_and_ends_its_sessions(runner, auth, make_user):
    user = make_user("staffer", role=Role.staff)
    assert auth.login(user).status_code == 302
    assert _count(UserSession) == 1
    assert _create_admin(runner, "staffer").exit_code == 0
    db.session.expire_all()
    assert db.session.get(User, user.id).role == Role.admin.value
    assert _count(UserSession) == 0


def test_create_admin_refuses_a_weak_password(runner, make_user):
    make_user("forgetful", role=Role.admin)
    result = _create_admin(runner, "forgetful", password="short")
    assert result.exit_code == 1
    assert "8文字以上" in result.output
    assert _count(AuditLog) == 0


def test_init_refuses_a_login_id_a_member_already_has(runner, tmp_path, make_user):
    make_user("city-admin")  # a member, but no city: no settings row, administrator or district
    result = _init(runner, tmp_path)
    assert result.exit_code == 1
    assert "このログインIDはすでに使われています" in result.output
    assert _count(District) == 0 and _count(SiteSettings) == 0
