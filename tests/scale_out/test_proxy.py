"""Behind a load balancer every request arrives from the balancer's address. With
TSUNAGARI_TRUSTED_PROXIES the per-IP login limit counts each resident's own address, so one
person's failed attempts do not lock everyone else out; without it a forged header changes nothing."""

from __future__ import annotations

import pytest


@pytest.fixture(params=[1, 0], ids=["behind-a-proxy", "direct"])
def app_config(request, app_config):
    return app_config | {"TRUSTED_PROXIES": request.param, "RATELIMIT_ENABLED": True,
                         "RATELIMIT_STORAGE_URI": "memory://", "LOGIN_IP_LIMIT": "3 per minute"}


def attempt(client, forwarded_for: str) -> int:
    return client.post("/login", data={"login_id": "nobody", "password": "wrong"},
                       headers={"X-Forwarded-For": forwarded_for}).status_code


def test_the_login_limit_counts_the_resident_not_the_load_balancer(app, client):
    first = [attempt(client, "203.0.113.7") for _ in range(4)]
    assert first == [400, 400, 400, 429]
    other = attempt(client, "198.51.100.23")  # another resident, through the same balancer
    if app.config["TRUSTED_PROXIES"]:
        assert other == 400
    else:
        assert other == 429  # the header is not trusted: both are the same (direct) address
