"""Benchmarks: every figure beside a raw baseline measured in the same run (docs/benchmarks.md)."""
