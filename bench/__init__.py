"""Benchmarks and load test for joblog-dash (`make bench`, `make load`); not part of `make test`."""
