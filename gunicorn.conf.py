"""gunicorn settings for production (and the load test in bench/load), read with `gunicorn -c gunicorn.conf.py`.

    TSUNAGARI_ENV=production TSUNAGARI_SECRET_KEY=... .venv/bin/gunicorn -c gunicorn.conf.py 'app:create_app()'

Every value can be overridden with an environment variable (GUNICORN_WORKERS=..., GUNICORN_BIND=...).
Measured on the 2-core server in docs/benchmarks.md: sync workers, 2 x cores + 1 of them.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request holds a worker; pages are CPU-bound (templates) with short queries.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Load the app once in the master: workers share its memory pages (copy-on-write) and start fast.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
# Recycle workers now and then, so that slow growth (caches, fragmentation) never adds up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 2
# The reverse proxy on the same machine is the only one allowed to set X-Forwarded-*.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")


def post_fork(server, worker):
    """With preload, the master opened database connections while importing: never share them."""
    try:
        from community.extensions import db

        app = getattr(server.app, "callable", None)
        if app is not None and hasattr(app, "app_context"):
            with app.app_context():
                db.engine.dispose(close=False)
    except Exception:  # noqa: BLE001 - a failure here must not stop the worker from starting
        server.log.exception("could not reset database connections after fork")
