"""Load test: gunicorn with the production settings on the city-scale data set.

    python -m bench.run load                                  # 100,000 members on SQLite
    python -m bench.run load --members 100000 --database-url postgresql://postgres@127.0.0.1:5432/tsunagari_scale
    python -m bench.run load --members 1000 --duration 5      # a quick look

Steps: generate the data set into its own instance directory (or database) unless it is there already,
build the search index with `flask search reindex` (database backend) and time both; start gunicorn
(`gunicorn.conf.py`, TSUNAGARI_ENV=production) on `bench.load.wsgi:app`; sign in members; then
1. throughput: each read page alone, closed loop with --concurrency clients, and the trivial
   `/__bench/hello` route in the same run (the ceiling): requests/s and the ratio to hello;
2. the evening peak: an open loop at --rate requests/s (Poisson arrivals) mixing anonymous and
   signed-in visitors over every page including posting a diary, commenting and reporting; latency
   is measured from each request's scheduled start, so a queue in front of gunicorn is counted;
3. memory: the resident size of every worker afterwards. The load average is printed next to it all.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from bench.load.client import Session

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PASSWORD = "tsunagari-scale-2026"  # community.core.generate.GENERATE_PASSWORD


def _env(args) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "FLASK_APP": "app:create_app",
        "TSUNAGARI_INSTANCE_PATH": str(args.instance),
        "TSUNAGARI_SEARCH_BACKEND": "database",
    })
    if args.database_url:
        env["TSUNAGARI_DATABASE_URL"] = args.database_url
    return env


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- data ----------------------------------------------------------------------------------------


def prepare(args) -> dict:
    """Generate and index once per instance directory; the timings are kept next to the data."""
    args.instance.mkdir(parents=True, exist_ok=True)
    marker = args.instance / f"generated-{args.members}.json"
    if marker.exists():
        return json.loads(marker.read_text())
    env = _env(args)
    flask = str(VENV_BIN / "flask")
    print(f"generating {args.members:,} members into {args.database_url or args.instance} ...", flush=True)
    started = time.perf_counter()
    subprocess.run([flask, "tsunagari", "generate", "--members", str(args.members)], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL if not args.verbose else None)
    generated = time.perf_counter() - started
    print(f"  generated in {generated:.0f} s; search reindex ...", flush=True)
    started = time.perf_counter()
    subprocess.run([flask, "search", "reindex"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL if not args.verbose else None)
    indexed = time.perf_counter() - started
    info = {"members": args.members, "generate_seconds": round(generated, 1), "reindex_seconds": round(indexed, 1),
            "load_average": load_average()}
    marker.write_text(json.dumps(info))
    return info


def targets(args) -> dict:
    """Ids the visitors ask for, read once from the database (as the scale data made them)."""
    os.environ.update(_env(args))
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from app import create_app
    from community.accounts.models import User
    from community.circles.models import Circle, Post, Topic
    from community.diaries.models import DiaryEntry
    from community.extensions import db

    app = create_app()
    with app.app_context():
        # Entries of verified members (others' entries are not shown: 404 is not what we measure).
        by_verified = select(DiaryEntry.id).join(User, User.id == DiaryEntry.author_id).where(User.status == "verified")
        public_entries = list(db.session.scalars(
            by_verified.where(DiaryEntry.visibility == "public").order_by(DiaryEntry.id.desc()).limit(2000)))
        member_entries = list(db.session.scalars(
            by_verified.where(DiaryEntry.visibility == "members").order_by(DiaryEntry.id.desc()).limit(2000)))
        circles = list(db.session.scalars(select(Circle.id).where(Circle.visibility == "public").limit(500)))
        long_topics = list(db.session.scalars(
            select(Topic.id).join(Circle, Circle.id == Topic.circle_id).where(Circle.visibility == "public")
            .where(select(func.count(Post.id)).where(Post.topic_id == Topic.id).scalar_subquery() == 51).limit(200)))
        logins = list(db.session.scalars(
            select(User.login_id).where(User.status == "verified", User.role == "member", User.login_id.like("m%"),
                                        User.birth_date < date(2000, 1, 1))
            .order_by(User.id).limit(args.sessions)))
        db.engine.dispose()
    return {"public_entries": public_entries, "member_entries": member_entries, "circles": circles,
            "long_topics": long_topics, "logins": logins}


# --- gunicorn -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(args, port: int) -> subprocess.Popen:
    env = _env(args)
    env.update({"TSUNAGARI_ENV": "production", "TSUNAGARI_SECRET_KEY": secrets.token_hex(32),
                "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_LOGLEVEL": "warning"})
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    proc = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "bench.load.wsgi:app"],
                            env=env, cwd=ROOT, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def worker_memory_mb(master_pid: int) -> list[float]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


# --- traffic -------------------------------------------------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, dict[int, int]] = field(default_factory=dict)

    def add(self, name: str, seconds: float, status: int, ok: bool) -> None:
        self.latencies.setdefault(name, []).append(seconds)
        if not ok:
            self.errors.setdefault(name, {}).setdefault(status, 0)
            self.errors[name][status] += 1


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


class Visitors:
    """What each kind of request asks for; signed-in sessions are shared round-robin."""

    def __init__(self, port: int, data: dict, sessions: list[Session], rng: random.Random) -> None:
        self.port, self.data, self.sessions, self.rng = port, data, sessions, rng
        self.counter = 0

    def anonymous(self) -> Session:
        return Session("127.0.0.1", self.port)

    def member(self) -> Session:
        self.counter += 1
        return self.sessions[self.counter % len(self.sessions)]

    def path(self, name: str) -> str:
        r, d = self.rng, self.data
        return {
            "hello": "/__bench/hello",
            "home": "/",
            "latest_diaries": "/diaries",
            "diary_entry": f"/diaries/{r.choice(d['public_entries'])}",
            "circle_page": f"/circles/{r.choice(d['circles'])}",
            "topic_50_replies": f"/circles/topics/{r.choice(d['long_topics'])}",
            "search": "/search/?" + urlencode(
                {"q": r.choice(["図書館", "子育て", "防災", "公園 散歩", "書道", "お祭り", "ボランティア"])}),
        }[name]

    async def run(self, name: str, signed_in: bool) -> tuple[int, bool]:
        session = self.member() if signed_in else self.anonymous()
        r, d = self.rng, self.data
        if name == "post_diary":
            resp = await session.post("/diaries/new", {"title": "今日の公園", "body": "夕方に公園を散歩しました。",
                                                       "visibility": "members"})
            return resp.status, resp.status == 302
        if name == "comment":
            entry = r.choice(d["public_entries"] + d["member_entries"])
            resp = await session.post(f"/diaries/{entry}/comments", {"body": "すてきですね。"})
            return resp.status, resp.status in (302, 303)
        if name == "report":
            entry = r.choice(d["public_entries"])
            resp = await session.post(f"/report/diary_entry/{entry}", {"reason": "spam", "note": ""})
            return resp.status, resp.status in (200, 302, 303)
        resp = await session.get(self.path(name))
        return resp.status, resp.status == 200


READ_PAGES = ["home", "latest_diaries", "diary_entry", "circle_page", "topic_50_replies", "search"]
# The evening mix: (name, weight, share signed in). Most visits read; a few write.
MIX = [
    ("home", 14, 0.5), ("latest_diaries", 20, 0.6), ("diary_entry", 26, 0.6), ("circle_page", 10, 0.7),
    ("topic_50_replies", 10, 0.7), ("search", 10, 0.5), ("post_diary", 4, 1.0), ("comment", 5, 1.0),
    ("report", 1, 1.0),
]


async def closed_loop(visitors: Visitors, name: str, signed_in: bool, concurrency: int, seconds: float) -> dict:
    stats = Stats()
    end = time.perf_counter() + seconds
    done = 0

    async def client() -> None:
        nonlocal done
        while time.perf_counter() < end:
            started = time.perf_counter()
            try:
                status, ok = await visitors.run(name, signed_in)
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                status, ok = 0, False
            stats.add(name, time.perf_counter() - started, status, ok)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    lat = stats.latencies.get(name, [])
    return {"rps": done / elapsed, "p50": pct(lat, 50), "p95": pct(lat, 95), "p99": pct(lat, 99),
            "errors": stats.errors.get(name, {})}


async def open_loop(visitors: Visitors, rate: float, seconds: float, rng: random.Random) -> tuple[Stats, float]:
    stats = Stats()
    names = [m[0] for m in MIX]
    weights = [m[1] for m in MIX]
    signed = {m[0]: m[2] for m in MIX}
    tasks = []
    start = time.perf_counter()
    at = start

    async def one(name: str, scheduled: float) -> None:
        try:
            status, ok = await visitors.run(name, rng.random() < signed[name])
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            status, ok = 0, False
        stats.add(name, time.perf_counter() - scheduled, status, ok)

    while at - start < seconds:
        at += rng.expovariate(rate)
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(rng.choices(names, weights)[0], at)))
    await asyncio.gather(*tasks)
    return stats, time.perf_counter() - start


async def drive(args, port: int, data: dict) -> dict:
    rng = random.Random(9)
    sessions = []
    for login in data["logins"]:
        session = Session("127.0.0.1", port)
        if await session.login(login, PASSWORD):
            sessions.append(session)
    if not sessions:
        raise SystemExit("no member could sign in")
    visitors = Visitors(port, data, sessions, rng)
    result: dict = {"signed_in_sessions": len(sessions)}
    # Warm every worker (templates compiled, connections opened, caches filled).
    await open_loop(visitors, min(args.rate, 40), args.warmup, rng)
    result["load_before"] = load_average()
    throughput = {}
    for name in ["hello", *READ_PAGES] if not args.peak_only else ["hello"]:
        signed_in = name not in ("hello", "home")
        throughput[name] = await closed_loop(visitors, name, signed_in, args.concurrency, args.duration)
        print(f"  {name:<18} {throughput[name]['rps']:7.1f} req/s  p95 {throughput[name]['p95']:7.1f} ms"
              f"  (load {load_average()})", flush=True)
    result["throughput"] = throughput
    result["load_after_throughput"] = load_average()
    stats, elapsed = await open_loop(visitors, args.rate, args.peak_seconds, rng)
    total = sum(len(v) for v in stats.latencies.values())
    result["peak"] = {
        "rate_asked": args.rate, "rate_served": total / elapsed, "seconds": elapsed,
        "pages": {name: {"n": len(lat), "p50": pct(lat, 50), "p95": pct(lat, 95), "p99": pct(lat, 99),
                         "errors": stats.errors.get(name, {})} for name, lat in stats.latencies.items()},
        "all": {"p50": pct([x for v in stats.latencies.values() for x in v], 50),
                "p95": pct([x for v in stats.latencies.values() for x in v], 95),
                "p99": pct([x for v in stats.latencies.values() for x in v], 99)},
        "load_average": load_average(),
    }
    return result


def report(result: dict) -> str:
    hello = result["throughput"]["hello"]["rps"]
    lines = ["| page | req/s | ratio to hello | p50 ms | p95 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|---:|---|"]
    for name, row in result["throughput"].items():
        lines.append(f"| {name} | {row['rps']:.1f} | {row['rps'] / hello:.2f} | {row['p50']:.1f} | {row['p95']:.1f} | "
                     f"{row['p99']:.1f} | {row['errors'] or ''} |")
    peak = result["peak"]
    lines += ["", f"Evening peak: {peak['rate_asked']} req/s asked, {peak['rate_served']:.1f} served for "
              f"{peak['seconds']:.0f} s (load average {peak['load_average']})", "",
              "| request | n | p50 ms | p95 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|---|"]
    for name, row in sorted(peak["pages"].items()):
        lines.append(f"| {name} | {row['n']} | {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} | "
                     f"{row['errors'] or ''} |")
    a = peak["all"]
    lines.append(f"| **all** | | {a['p50']:.1f} | {a['p95']:.1f} | {a['p99']:.1f} | |")
    mem = result["worker_rss_mb"]
    lines += ["", f"Worker memory after the load (RSS, MB): {', '.join(f'{m:.0f}' for m in mem)} "
              f"(max {max(mem):.0f})", f"Load average: before {result['load_before']}, "
              f"after the throughput runs {result['load_after_throughput']}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.run load", description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--instance", type=Path, default=None,
                        help="instance directory for the data set (default: /tmp/tsunagari-load-<members>)")
    parser.add_argument("--database-url", default=os.environ.get("TSUNAGARI_BENCH_LOAD_DATABASE_URL", ""),
                        help="an EMPTY PostgreSQL database to generate into (default: SQLite in the instance)")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--concurrency", type=int, default=8, help="clients in the throughput runs")
    parser.add_argument("--duration", type=float, default=15, help="seconds per page in the throughput runs")
    parser.add_argument("--rate", type=float, default=60, help="requests/s of the evening-peak run")
    parser.add_argument("--peak-seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--peak-only", action="store_true", help="measure only hello and the evening peak")
    parser.add_argument("--sessions", type=int, default=20, help="members signed in (the sign-in limit is 30/15 min)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    args.instance = (args.instance or Path(os.environ.get("TMPDIR", "/tmp")) / f"tsunagari-load-{args.members}").resolve()
    info = prepare(args)
    print(f"data: {info}", flush=True)
    data = targets(args)
    port = _free_port()
    proc = start_gunicorn(args, port)
    try:
        result = asyncio.run(drive(args, port, data))
        result["worker_rss_mb"] = worker_memory_mb(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    result["data"] = info
    result["workers"] = args.workers or os.cpu_count() * 2 + 1
    print()
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
