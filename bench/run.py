"""`python -m bench.run [NAME] [options]`: run a benchmark; with no name, the default set.

    python -m bench.run                      # search at 100,000 documents, every backend
    python -m bench.run search --docs 1000000 --backends sqlite,postgresql
"""

from __future__ import annotations

import sys

BENCHES = {
    "search": "bench.search_bench",
    "faults-kill": "bench.faults.kill_workers",
    "faults-pg": "bench.faults.pg_restart",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    name = argv.pop(0) if argv and not argv[0].startswith("-") else "search"
    if name not in BENCHES:
        raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}")
    module = __import__(BENCHES[name], fromlist=["main"])
    module.main(argv)


if __name__ == "__main__":
    main()
