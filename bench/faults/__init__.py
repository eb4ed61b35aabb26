"""Long fault runs (minutes, not for the test suite): kill -9 of gunicorn workers while members
post, and a PostgreSQL restart under load. Each prints what it measured; see docs/benchmarks.md.

    python -m bench.run faults-kill --seconds 60
    python -m bench.run faults-pg --seconds 40

Both start their own throwaway PostgreSQL cluster (initdb in a temporary folder, a free port) and
never touch any other database server.
"""
