"""`python -m bench.run [NAME] [options]`: run a benchmark; with no name, the default set.

    python -m bench.run                      # the load test (100,000 members), then search (100,000 documents)
    python -m bench.run load --members 1000 --duration 5   # a quick load test (see bench/load/bench.py)
    python -m bench.run search --docs 1000000 --backends sqlite,postgresql
"""

from __future__ import annotations

import sys

BENCHES = {
    "search": "bench.search_bench",
    "load": "bench.load.bench",
    "faults-kill": "bench.faults.kill_workers",
    "faults-pg": "bench.faults.pg_restart",
}
# `python -m bench.run` (make bench) runs these in turn; name one to run only it.
DEFAULT = ["load", "search"]


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = [argv.pop(0)] if argv and not argv[0].startswith("-") else DEFAULT
    for name in names:
        if name not in BENCHES:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}")
    for name in names:
        module = __import__(BENCHES[name], fromlist=["main"])
        module.main(list(argv))


if __name__ == "__main__":
    main()
