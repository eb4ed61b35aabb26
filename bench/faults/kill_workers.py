"""kill -9 gunicorn workers again and again while members post diary entries.

Every post that got a success response must exist afterwards, none twice (members send the same
form again after a lost response, and some double-click), and the search index must catch up
(the outbox drains: a `flask search drain --loop` worker runs beside the site, as in production).

    python -m bench.run faults-kill --seconds 60 --members 4 --workers 3 --kill-every 0.5
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.faults.common import (
    ROOT,
    Gunicorn,
    Member,
    Outcome,
    ThrowawayPostgres,
    check_database,
    prepare_site,
    site_env,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.run faults-kill")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--kill-every", type=float, default=0.5, help="mean seconds between kills")
    parser.add_argument("--backend", default="whoosh", choices=["whoosh", "database"])
    parser.add_argument("--unprotected", action="store_true",
                        help="control run: send forms without their submission id (duplicates are expected)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="tsunagari-faults-kill-"))
    instance = work / "instance"
    postgres = ThrowawayPostgres()
    site = drainer = None
    try:
        postgres.start()
        prepare_site(postgres.url, instance, args.members, args.backend)
        env = site_env(postgres.url, instance, args.backend)
        site = Gunicorn(env, args.workers, work / "gunicorn.log")
        drainer = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).with_name("flask")), "search", "drain", "--loop", "--interval", "0.5"],
            cwd=ROOT, env=env, stdout=open(work / "drain.log", "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115
        members = [Member(site.url, f"m{n}") for n in range(args.members)]
        outcome = Outcome()
        prefix = f"kill{os.getpid()}-"
        started = time.monotonic()
        stop = threading.Event()
        kills = []

        def write(number: int, member: Member) -> None:
            count = 0
            while not stop.is_set():
                count += 1
                member.post(f"{prefix}{number}-{count}", outcome, started, double=(count % 5 == 0),
                            protected=not args.unprotected)

        def killer() -> None:
            rng = random.Random(7)
            while not stop.wait(rng.expovariate(1 / args.kill_every)):
                workers = site.workers()
                if workers:
                    victim = rng.choice(workers)
                    try:
                        os.kill(victim, signal.SIGKILL)
                        kills.append(time.monotonic() - started)
                    except ProcessLookupError:
                        pass

        threads = [threading.Thread(target=write, args=(n, m)) for n, m in enumerate(members)]
        threads.append(threading.Thread(target=killer))
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        result = check_database(postgres.url, instance, args.backend, outcome, prefix)
        summary = {
            "seconds": round(elapsed, 1),
            "workers": args.workers,
            "members": args.members,
            "backend": args.backend,
            "submission_ids": not args.unprotected,
            "kills": len(kills),
            "posts_attempted": outcome.attempts,
            "posts_confirmed": len(outcome.confirmed),
            "answered_already_sent": outcome.already_sent,
            "resends_after_lost_response": outcome.retries,
            "unresolved": len(outcome.unresolved),
            "responses": outcome.statuses,
            **result,
            "lost": len(result["lost"]),
            "duplicates": len(result["duplicates"]),
        }
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        if result["lost"] or (result["duplicates"] and not args.unprotected):
            print("LOST:", result["lost"][:20], "DUPLICATES:", result["duplicates"][:20])
            raise SystemExit(1)
    finally:
        if drainer is not None:
            drainer.terminate()
        if site is not None:
            site.stop()
        postgres.destroy()


if __name__ == "__main__":
    main()
