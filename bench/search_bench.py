"""Search benchmark: build rate, index size, query latency and update latency per backend.

    python -m bench.run search --docs 100000                 # Whoosh, SQLite FTS5, PostgreSQL
    python -m bench.run search --docs 1000000 --backends sqlite,postgresql
    TSUNAGARI_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test (default) for PostgreSQL
    python -m bench.run search --docs 1000000 --backends postgresql --keep-schema bench_1m   # build once, keep
    python -m bench.run search --backends postgresql --reuse-schema bench_1m                 # query it again
    python -m bench.run search --docs 20000 --backends whoosh --workdir /tmp/wb               # keeps the index
    python -m bench.run search --backends whoosh --workdir /tmp/wb --reuse-index              # query it again

It drives the real backend classes (search.backends.*) through the same analysis the site uses,
with the scope filter of a verified member of 5 circles. It does not include the policy reload of
the page's rows (one indexed `IN (...)` query per content kind on the real tables).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PLACES = ["中央", "北", "南", "東", "西", "緑ヶ丘", "みなと", "さくら台", "ひばり野", "若葉"]
TOPICS = [
    "子育て", "育児", "図書館", "防災", "ゴミ出し", "健康診断", "予防接種", "保育園", "学童保育", "介護",
    "高齢者", "公民館", "体育館", "プール", "ボランティア", "自治会", "防犯", "交通安全", "選挙", "税金",
    "国民健康保険", "年金", "児童手当", "医療費助成", "住民票", "マイナンバーカード", "粗大ごみ", "リサイクル",
    "避難所", "ハザードマップ", "地震", "台風", "熱中症", "インフルエンザ", "子ども食堂", "読み聞かせ",
    "書道", "将棋", "囲碁", "写真", "園芸", "料理教室", "ヨガ", "ウォーキング", "少年野球", "サッカー",
    "バドミントン", "卓球", "合唱", "俳句", "英会話", "パソコン教室", "スマートフォン", "イベント", "コンサート",
    "お祭り", "盆踊り", "花火大会", "朝市", "フリーマーケット", "清掃活動", "公園", "図書", "市役所", "窓口",
]
KATA = {"イベント": "ｲﾍﾞﾝﾄ", "コンサート": "ｺﾝｻｰﾄ", "ヨガ": "ﾖｶﾞ", "サッカー": "ｻｯｶｰ", "プール": "ﾌﾟｰﾙ",
        "スマートフォン": "ｽﾏｰﾄﾌｫﾝ", "パソコン教室": "ﾊﾟｿｺﾝ教室", "ボランティア": "ﾎﾞﾗﾝﾃｨｱ"}
FRAMES = {
    "official": [
        "{p}地区の{t}についてお知らせします。申し込みは{m}月{d}日までに市役所の窓口で受け付けます。",
        "{t}の手続きには本人確認書類が必要です。詳しくは担当課までお問い合わせください。",
        "令和{y}年度の{t}に関する制度が変わります。対象となる方には{m}月中に通知をお送りします。",
        "{p}公民館で{t}の説明会を開きます。定員は{n}名、参加費は無料です。",
    ],
    "voices": [
        "今日は{p}の公園で{t}の話をしました。子どもたちも楽しそうでした。",
        "{t}のことで悩んでいます。同じような経験のある方、ぜひ教えてください。",
        "先週の{t}、とても良かったです！また参加したいと思います。{u}",
        "{p}地区で{t}をしている方はいますか？{m}月から始めたいと思っています。",
    ],
    "local": [
        "{p}地区の{t}サークルです。毎週{w}曜日に集まって活動しています。初めての方も歓迎します。",
        "{m}月{d}日（{w}）に{p}公民館で{t}のイベントを開きます。申し込みは不要です。",
    ],
}
WEEK = "月火水木金土日"


def _text(rng: random.Random, source: str) -> tuple[str, str]:
    topic = rng.choice(TOPICS)
    title = f"{rng.choice(PLACES)}の{topic}"
    parts = []
    while sum(map(len, parts)) < rng.randint(50, 300):
        parts.append(rng.choice(FRAMES[source]).format(
            p=rng.choice(PLACES), t=rng.choice([topic, rng.choice(TOPICS)]), m=rng.randint(1, 12), d=rng.randint(1, 28),
            y=rng.randint(6, 9), n=rng.randint(10, 50), w=rng.choice(WEEK), u=rng.choice(["ABC", "ＷｉＦｉ", "ok", ""])))
    body = "".join(parts)
    if rng.random() < 0.06:  # half-width katakana and full-width ASCII, as people really type
        for word, narrow in KATA.items():
            body = body.replace(word, narrow)
        body = body.replace("1", "１").replace("2", "２")
    return title, body


def documents(n: int, seed: int = 7):
    from search.sources import Document

    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(1, n + 1):
        source = rng.choices(["official", "voices", "local"], [0.3, 0.5, 0.2])[0]
        title, body = _text(rng, source)
        scope = f"circle:{rng.randint(1, 200)}" if rng.random() < 0.10 else rng.choice(["public", "members"])
        yield Document(kind="bench", object_id=i, source=source, title=title, body=body,
                       date=start + timedelta(minutes=i), district_id=rng.randint(1, 10), scope=scope)


def queries(count: int = 200, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        if rng.random() < 0.5:
            out.append(rng.choice(TOPICS))
        else:
            out.append(f"{rng.choice(TOPICS)} {rng.choice(TOPICS + PLACES)}")
    return out


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    values = sorted(values)

    def pick(q: float) -> float:
        return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]

    return pick(0.50), pick(0.95), pick(0.99)


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _app(backend: str, workdir: Path, database_url: str):
    from app import create_app

    return create_app({
        "INSTANCE_PATH": str(workdir),
        "SECRET_KEY": "bench-secret-key-0123456789-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATABASE_URL": database_url,
        "SEARCH_BACKEND": backend,
        "SEARCH_INDEX_DIR": str(workdir / "search-index"),
    })


def run_one(label: str, n: int, workdir: Path, pg_url: str | None, rank_within: int | None = 300,
            keep_schema: str | None = None, reuse_schema: str | None = None, reuse_index: bool = False) -> dict:
    import sqlalchemy as sa

    from community.extensions import db
    from search.analysis import parse_query
    from search.backends import SearchFilters, get_backend
    from search.models import SearchDocument

    schema = None
    if label == "postgresql":
        base = pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
        schema = reuse_schema or keep_schema or f"bench_{os.getpid()}"
        if not reuse_schema:
            engine = sa.create_engine(base)
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            engine.dispose()
        url = f"{base}?options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = _app("whoosh" if label == "whoosh" else "database", workdir, url)
    result: dict = {"backend": label, "docs": n}
    reuse_index = reuse_index and label == "whoosh" and (workdir / "search-index").is_dir()
    with app.app_context():
        SearchDocument.__table__.create(db.engine, checkfirst=True)
        backend = get_backend()
        done = [0]
        t0 = time.perf_counter()

        def progress(k: int) -> None:
            done[0] += k
            if done[0] % 50000 < k:
                print(f"  {label}: {done[0]} documents, {time.perf_counter() - t0:.0f} s", flush=True)

        if reuse_schema:  # query an index a --keep-schema run built
            n = result["docs"] = db.session.scalar(sa.select(sa.func.count()).select_from(SearchDocument))
            result["build_s"] = result["docs_per_s"] = 0
        elif reuse_index:  # query the Whoosh index an earlier run left in --workdir
            n = result["docs"] = backend.status()["documents"]
            result["build_s"] = result["docs_per_s"] = 0
        else:
            backend.rebuild(documents(n), progress)
            db.session.commit()
            build = time.perf_counter() - t0
            result["build_s"] = round(build, 1)
            result["docs_per_s"] = round(n / build)
        if label == "whoosh":
            result["size_mb"] = round(_dir_size(workdir / "search-index") / 1e6)
        elif label == "sqlite":
            db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
            result["size_mb"] = round((workdir / "bench.sqlite3").stat().st_size / 1e6)
        else:
            db.session.execute(sa.text("ANALYZE search_document"))
            db.session.commit()
            size = db.session.scalar(sa.text("SELECT pg_total_relation_size('search_document')"))
            result["size_mb"] = round(size / 1e6)

        # A verified member of 5 circles: public, members-only and restricted documents, and 5 circles' own.
        scopes = frozenset({"public", "members", "restricted"} | {f"circle:{c}" for c in (3, 17, 42, 99, 150)})
        filters = SearchFilters(scopes=scopes)
        qs = [parse_query(q) for q in queries()]
        for q in qs[:10]:  # warm caches: the first query of a process opens files
            backend.search(q, filters, limit=62, rank_within=rank_within)
        times = []
        cpu = []  # this process's CPU time: the engine's own work for SQLite and Whoosh, without waiting for a core
        hits = []
        for q in qs:
            c = time.process_time()
            t = time.perf_counter()
            found = backend.search(q, filters, limit=62, rank_within=rank_within)  # first page: 20 shown, 2x+20 asked
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            hits.append(len(found))
            db.session.rollback()
        slowest = sorted(zip(times, queries(), strict=True), reverse=True)[:5]
        result["slowest"] = [f"{q} {ms:.0f} ms" for ms, q in slowest]
        p50, p95, p99 = _percentiles(times)
        c50, c95, _c99 = _percentiles(cpu)
        result["load_average"] = [round(x, 1) for x in os.getloadavg()]
        result.update(cpu_p50_ms=round(c50, 1), cpu_p95_ms=round(c95, 1))
        result.update(p50_ms=round(p50, 1), p95_ms=round(p95, 1), p99_ms=round(p99, 1),
                      zero_hit_queries=sum(1 for h in hits if h == 0))

        # Commit to searchable: write one changed document and search for its new word.
        from search.sources import Document

        updates = []
        for i in range(0 if reuse_schema or reuse_index else 20):  # a reused index is left as it was built
            doc = Document(kind="bench", object_id=i + 1, source="voices", title=f"更新{i}号", body=f"ぱんだ{i}ごう の日記",
                           scope="public", date=datetime.now(UTC))
            t = time.perf_counter()
            backend.apply([doc], [])
            db.session.commit()
            found = backend.search(parse_query(f"ぱんだ{i}ごう"), filters, limit=5)
            updates.append((time.perf_counter() - t) * 1000)
            assert found, "updated document not searchable"
        u50, u95, _ = _percentiles(updates or [0.0])
        result.update(update_p50_ms=round(u50, 1), update_p95_ms=round(u95, 1))
        db.session.remove()
        db.engine.dispose()
    if schema and not (keep_schema or reuse_schema):
        engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
    return result


def _pg_reachable(url: str) -> bool:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=3).close()
        return True
    except OSError:
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run search", description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--backends", default="whoosh,sqlite,postgresql")
    parser.add_argument("--workdir", default=None, help="default: a temporary directory, removed afterwards")
    parser.add_argument("--rank-candidates", type=int, default=300,
                        help="SEARCH_RANK_CANDIDATES: rank only the newest N matches (the site's default 300); 0 ranks all")
    parser.add_argument("--keep-schema", metavar="NAME", default=None,
                        help="PostgreSQL: build into schema NAME and keep it (drop it yourself: DROP SCHEMA NAME CASCADE)")
    parser.add_argument("--reuse-schema", metavar="NAME", default=None,
                        help="PostgreSQL: query the index a --keep-schema run left in NAME (no build, no update test)")
    parser.add_argument("--reuse-index", action="store_true",
                        help="Whoosh: query the index an earlier run left in --workdir (no build, no update test)")
    args = parser.parse_args(argv)
    pg_url = os.environ.get("TSUNAGARI_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    rows = []
    for label in [b.strip() for b in args.backends.split(",") if b.strip()]:
        if label == "postgresql" and not _pg_reachable(pg_url):
            print(f"skipping postgresql: {pg_url} unreachable")
            continue
        work = Path(args.workdir or tempfile.mkdtemp(prefix="tsunagari-bench-")) / label
        work.mkdir(parents=True, exist_ok=True)
        print(f"== {label}, {args.docs} documents", flush=True)
        try:
            rows.append(run_one(label, args.docs, work, pg_url, args.rank_candidates or None,
                                keep_schema=args.keep_schema, reuse_schema=args.reuse_schema,
                                reuse_index=args.reuse_index))
            print(rows[-1], flush=True)
        finally:
            if not args.workdir:
                shutil.rmtree(work.parent, ignore_errors=True)
    print()
    print("| backend | docs | build docs/s | size MB | p50 ms | p95 ms | p99 ms | CPU p50/p95 ms | update p50/p95 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['backend']} | {r['docs']:,} | {r['docs_per_s']:,} | {r['size_mb']} | {r['p50_ms']} | {r['p95_ms']} |"
              f" {r['p99_ms']} | {r['cpu_p50_ms']} / {r['cpu_p95_ms']} | {r['update_p50_ms']} / {r['update_p95_ms']} |")
    print(f"\nQueries: 200 one- and two-word, first page (limit 62), as a member of 5 circles, "
          f"ranking the newest {args.rank_candidates or 'all'} matches. Load average: {os.getloadavg()}")
