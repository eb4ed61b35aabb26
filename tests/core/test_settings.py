"""site_settings(): the city's name and web site from the settings row, else from the configuration."""

import pytest
from sqlalchemy.exc import OperationalError

from community.core import settings
from community.core.settings import save_site_settings, site_settings
from community.extensions import db


@pytest.fixture
def app_config(app_config):
    return {**app_config, "CITY_NAME": "設定市", "CITY_WEBSITE": "https://config.example.jp/"}


def test_without_a_row_the_configuration_names_the_city(client):
    found = site_settings()
    assert (found.city_name, found.city_website) == ("設定市", "https://config.example.jp/")
    assert "設定市" in client.get("/").get_data(as_text=True)


def test_the_row_wins_and_an_empty_web_site_falls_back(client):
    save_site_settings(city_name="あおば市", city_website="")
    db.session.commit()
    found = site_settings()
    assert (found.city_name, found.city_website) == ("あおば市", "https://config.example.jp/")
    html = client.get("/").get_data(as_text=True)
    assert "あおば市" in html and "設定市" not in html


def test_a_database_error_falls_back_to_the_configuration(app, monkeypatch):
    def broken():
        raise OperationalError("SELECT", {}, Exception("database is down"))

    monkeypatch.setattr(settings, "settings_row", broken)
    assert site_settings().city_name == "設定市"
