"""Print every benchmark figure as one table: `python -m benchmarks [name ...]`."""

from __future__ import annotations

import argparse
import importlib
import time

from benchmarks.common import Figure

BENCHMARKS = [
    "startup",
    "clio_folders",
    "clio_transfer",
    "intake",
    "documents",
    "ocr",
    "clio_tree",
    "returns",
    "expenses",
]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], help="run only these")
    args = parser.parse_args()
    rows: list[tuple[str, Figure]] = []
    for name in args.names or BENCHMARKS:
        started = time.monotonic()
        module = importlib.import_module(f"benchmarks.{name}")
        rows.extend((name, figure) for figure in module.run())
        print(f"  ({name}: {time.monotonic() - started:.0f} s)", flush=True)
    width = max(len(f.name) for _, f in rows)
    print(f"\n{'benchmark':<10} {'figure':<{width}}  {'value':>12}  {'budget':<12} note")
    for name, figure in rows:
        print(f"{name:<10} {figure.name:<{width}}  {figure.text:>12}  {figure.budget:<12} {figure.note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
