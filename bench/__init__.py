"""Benchmarks and the synthetic dataset they load; not part of the served application."""
