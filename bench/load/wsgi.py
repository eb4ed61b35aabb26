"""The production app plus one trivial route, for the load test only (never the public site).

    gunicorn -c gunicorn.conf.py bench.load.wsgi:app

`/__bench/hello` returns a short text through the same WSGI stack, Flask app and before/after-request
hooks as every page (anonymous, so no session row is read): the framework's ceiling on this machine.
Pages are reported as a ratio to it.
"""

from __future__ import annotations

from app import create_app

app = create_app()


@app.get("/__bench/hello")
def bench_hello():
    return "hello", 200, {"Content-Type": "text/plain; charset=utf-8"}
