"""Sign-in limits when the rate-limit Redis fails: each worker keeps counting in memory, the
per-login-ID lockout stays in the database, no request waits long, and /healthz says so."""

from __future__ import annotations

import secrets
import socket
import threading
import time

import pytest
import redis
from sqlalchemy import func, select

from community.accounts.models import LoginFailure
from community.extensions import db, limiter
from tests.conftest import PASSWORD

REAL_REDIS = "redis://127.0.0.1:6379/0"
# The request that finds Redis gone waits for its timeout (0.5 s) and one re-check (0.5 s); the
# rest is the new app's first page on a busy machine. Without the timeouts it would be minutes.
BOUND = 2.5
LOCKED = "ログインに失敗した回数が多すぎます"
TOO_FAST = "短い時間に何度も操作が行われました"


class FakeRedis:
    """A TCP server on a free local port. "hang": accepts and never answers; "refuse": closes each
    connection at once; "forward": passes bytes to the real Redis (Redis coming back)."""

    def __init__(self, mode: str):
        self.mode = mode
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.url = f"redis://127.0.0.1:{self._server.getsockname()[1]}/0"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            if self.mode == "refuse":
                conn.close()
                continue
            self._sockets.append(conn)
            if self.mode == "forward":
                upstream = socket.create_connection(("127.0.0.1", 6379), timeout=2)
                self._sockets.append(upstream)
                for a, b in ((conn, upstream), (upstream, conn)):
                    threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            dst.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._server.close()
        for s in self._sockets:
            s.close()


def redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REAL_REDIS, socket_connect_timeout=0.5, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture(autouse=True)
def _fresh_limiter():
    """One Limiter serves every app a test run creates, and keeps the first app's key prefix and a
    dead storage's state; here each test's app gets its own prefix (other runs share the Redis)."""
    def reset():
        limiter._storage_dead = False
        limiter._key_prefix = None
        limiter._Limiter__check_backend_count = 0  # Redis is asked again after 1, 2, 4 ... 32 s
        limiter._Limiter__last_check_backend = time.time()

    reset()
    yield
    prefix = limiter._key_prefix
    if prefix and prefix.startswith("test-") and redis_up():
        server = redis.Redis.from_url(REAL_REDIS)
        for key in server.scan_iter(f"*/{prefix}/*"):
            server.delete(key)
    reset()


@pytest.fixture(params=["down", "hanging"])
def broken_redis(request):
    if request.param == "down":
        yield "redis://127.0.0.1:1/0"  # nothing listens there
        return
    server = FakeRedis("hang")
    yield server.url
    server.close()


@pytest.fixture
def redis_proxy():
    proxy = FakeRedis("refuse")
    yield proxy
    proxy.close()


@pytest.fixture
def app_config(request, app_config):
    uri = REAL_REDIS
    if "broken_redis" in request.fixturenames:
        uri = request.getfixturevalue("broken_redis")
    elif "redis_proxy" in request.fixturenames:
        uri = request.getfixturevalue("redis_proxy").url
    # "6 per minute": the sixth failure is stopped by the lockout, the seventh request by the per-IP limit.
    return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": uri, "LOGIN_IP_LIMIT": "6 per minute",
            "RATELIMIT_KEY_PREFIX": f"test-{secrets.token_hex(4)}"}


def _timed_login(client, login_id, password="wrong password!"):  # noqa: S107
    start = time.monotonic()
    response = client.post("/login", data={"login_id": login_id, "password": password})
    return response, time.monotonic() - start


def _seven_wrong_passwords(client):
    results = [_timed_login(client, "resident") for _ in range(7)]
    return [r.status_code for r, _ in results], [r.get_data(as_text=True) for r, _ in results], [t for _, t in results]


def test_without_redis_seven_wrong_passwords_end_in_the_lockout_and_the_ip_limit(client, make_user, broken_redis):
    make_user("resident")
    statuses, pages, seconds = _seven_wrong_passwords(client)
    assert statuses == [400] * 5 + [429, 429]
    assert LOCKED in pages[5]  # the per-login-ID lockout, from the database
    assert TOO_FAST in pages[6]  # the per-IP limit, counted in this worker's memory
    assert max(seconds) < BOUND, seconds
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 5  # the 6th was not checked


def test_without_redis_a_right_password_still_signs_in(client, make_user, broken_redis):
    make_user("resident")
    response, seconds = _timed_login(client, "resident", PASSWORD)
    assert response.status_code == 302 and seconds < BOUND


def test_healthz_says_the_limits_are_kept_in_memory(client, broken_redis):
    start = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - start < BOUND
    # Still 200: the limits hold (per worker), so the load balancer keeps the machine; monitoring alerts.
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["ratelimit"] == {"ok": False, "storage": "redis", "fallback": "memory"}


@pytest.mark.skipif(not redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_with_redis_up_the_limits_are_counted_in_redis(app, client, make_user):
    make_user("resident")
    statuses, pages, _ = _seven_wrong_passwords(client)
    assert statuses == [400] * 5 + [429, 429] and TOO_FAST in pages[6]
    prefix = app.config["RATELIMIT_KEY_PREFIX"]
    server = redis.Redis.from_url(REAL_REDIS)
    assert server.keys(f"*/{prefix}/*")  # the counter lives in Redis, shared by every worker and machine
    assert client.get("/healthz").get_json()["checks"]["ratelimit"] == {"ok": True, "storage": "redis"}


@pytest.mark.skipif(not redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_limits_go_back_to_redis_when_it_returns(app, client, redis_proxy):
    server = redis.Redis.from_url(REAL_REDIS)
    pattern = f"*/{app.config['RATELIMIT_KEY_PREFIX']}/*"
    assert _timed_login(client, "someone")[0].status_code == 400  # counted in memory
    assert server.keys(pattern) == []
    redis_proxy.mode = "forward"
    time.sleep(2.1)  # Flask-Limiter asks the storage again after 1, then 2, 4 ... 32 seconds
    assert _timed_login(client, "someone")[0].status_code == 400
    assert server.keys(pattern)  # counted in Redis again
