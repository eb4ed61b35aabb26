"""Benchmarks (`make bench`); results are reported in docs/benchmarks.md, not asserted by tests."""
