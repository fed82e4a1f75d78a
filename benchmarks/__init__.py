"""Benchmarks: `python -m benchmarks` (or `./dev bench`) prints every figure the project tracks."""
