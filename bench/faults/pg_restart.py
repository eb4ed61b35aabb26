"""Restart PostgreSQL (pg_ctl restart -m fast) while members post and read.

Requests fail for a moment with the friendly 503 page (never a 500, never a dropped connection),
then succeed again without restarting the app (pool_pre_ping replaces the dead connections). The
same gunicorn workers serve before and after. Posts sent again after a 503 exist exactly once.

    python -m bench.run faults-pg --seconds 40 --restarts 2
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.faults.common import (
    Gunicorn,
    Member,
    Outcome,
    ThrowawayPostgres,
    check_database,
    prepare_site,
    site_env,
)

READ_PATHS = ("/", "/diaries", "/healthz")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.run faults-pg")
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--backend", default="database", choices=["whoosh", "database"])
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="tsunagari-faults-pg-run-"))
    instance = work / "instance"
    postgres = ThrowawayPostgres()
    site = None
    try:
        postgres.start()
        prepare_site(postgres.url, instance, args.members, args.backend)
        site = Gunicorn(site_env(postgres.url, instance, args.backend), args.workers, work / "gunicorn.log")
        members = [Member(site.url, f"m{n}") for n in range(args.members)]
        writes, reads = Outcome(), Outcome()
        prefix = f"pg{os.getpid()}-"
        stop = threading.Event()
        started = time.monotonic()
        workers_before = sorted(site.workers())

        def write(number: int, member: Member) -> None:
            count = 0
            while not stop.is_set():
                count += 1
                member.post(f"{prefix}{number}-{count}", writes, started)

        def read(number: int) -> None:
            http = requests.Session()
            while not stop.is_set():
                path = READ_PATHS[number % len(READ_PATHS)]
                try:
                    response = http.get(f"{site.url}{path}", timeout=30)
                except requests.RequestException:
                    reads.note("connection error", time.monotonic() - started)
                    continue
                code = response.status_code
                if code == 503 and (path == "/healthz" or "メンテナンス" in response.text):
                    with reads.lock:
                        reads.friendly_503 += 1
                reads.note(str(code), time.monotonic() - started)
                time.sleep(0.05)

        threads = [threading.Thread(target=write, args=(n, m)) for n, m in enumerate(members)]
        threads += [threading.Thread(target=read, args=(n,)) for n in range(args.readers)]
        for thread in threads:
            thread.start()
        restarts = []
        gap = args.seconds / (args.restarts + 1)
        for _ in range(args.restarts):
            time.sleep(gap)
            begin = time.monotonic() - started
            postgres.restart("fast")
            restarts.append((begin, time.monotonic() - started))
        time.sleep(gap)
        stop.set()
        for thread in threads:
            thread.join()
        workers_after = sorted(site.workers())

        timeline = sorted(writes.timeline + reads.timeline)
        recoveries = []
        for begin, back in restarts:
            failures = [t for t, s in timeline if t >= begin and s not in ("200", "302", "303")
                        and t < begin + gap]
            last_failure = max(failures) if failures else None
            after = [t for t, s in timeline if t > (last_failure or back) and s in ("200", "302", "303")]
            first_ok = min(after) if after else None
            recoveries.append({
                "restart_began_s": round(begin, 2),
                "postgres_back_after_s": round(back - begin, 2),
                "failed_requests": len(failures),
                "first_success_after_restart_began_s": round(first_ok - begin, 2) if first_ok else None,
            })
        tail = [s for t, s in timeline if t > restarts[-1][1] + 5]
        result = check_database(postgres.url, instance, args.backend, writes, prefix)
        summary = {
            "seconds": round(time.monotonic() - started, 1),
            "backend": args.backend,
            "workers": args.workers,
            "same_workers_before_and_after": workers_before == workers_after,
            "restarts": recoveries,
            "write_responses": writes.statuses,
            "read_responses": reads.statuses,
            "friendly_503": writes.friendly_503 + reads.friendly_503,
            "errors_5s_after_last_restart": sum(1 for s in tail if s not in ("200", "302", "303")),
            "posts_confirmed": len(writes.confirmed),
            "unresolved": len(writes.unresolved),
            **result,
            "lost": len(result["lost"]),
            "duplicates": len(result["duplicates"]),
        }
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        bad = (result["lost"] or result["duplicates"] or writes.statuses.get("500") or reads.statuses.get("500"))
        if bad:
            raise SystemExit(1)
    finally:
        if site is not None:
            site.stop()
        with contextlib.suppress(Exception):
            postgres.destroy()


if __name__ == "__main__":
    main()
