"""Start-up: process start to a usable main window with the cached orders shown.

The window shows the orders as last seen first and composes the service graph (sign-in, refresh,
the order panel, Place Order) right after they are painted; both moments are reported: "usable
window" (the budget) and "services running".

The sandbox runs in its own process first (as a real provider would be already there). One warm-up
run signs the demo user in and fills the local cache; then bare PySide6 windows and app starts
alternate, so each pair sees the same machine state, and the ratio is taken pair by pair.

Two bytecode modes: "cached" runs the checkout as it is (its `__pycache__` written by the warm-up);
"no bytecode cache" runs a copy of `app/` and `sandbox/` without `__pycache__`, under
`PYTHONDONTWRITEBYTECODE=1`, so every start compiles the app's own modules (a machine or an
install that keeps no bytecode); the libraries keep theirs, as an installed copy would.

Budgets: the app within 3x the bare window (median of the pairs) in both modes, peak memory
<= 100 MB, QtWebEngine not imported. The imports that remain before the first window are listed by
cost (one `-X importtime` run).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import ROOT, Figure, child_env, median, run_json, sandbox_process

RUNS = 15
SHOWN_IMPORTS = 12
READY_MARK = "benchmark: ready"
"""What the app writes to stderr, after its imports' timings, once the window is usable."""


def run() -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="lcd-bench-") as tmp:
        base = Path(tmp)
        with sandbox_process(base / "sandbox") as endpoints:
            env = child_env(base / "home")
            env.pop("PYTHONDONTWRITEBYTECODE", None)  # the cached mode caches, whatever this shell says
            app_args = ["-m", "app", "--sandbox-endpoints", str(endpoints), "--benchmark-ready"]
            bare_cmd = [sys.executable, str(ROOT / "benchmarks" / "bare_window.py")]
            run_json([sys.executable, *app_args], env)  # warm-up: signs in, fills the cache, writes bytecode
            run_json(bare_cmd, env)
            figures += _mode("cached bytecode", [sys.executable, *app_args], bare_cmd, env, ROOT)
            source = _copy_without_bytecode(base / "source")
            cold_env = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
            figures += _mode("no bytecode cache", [sys.executable, *app_args], bare_cmd, cold_env, source)
            figures += _imports([sys.executable, "-X", "importtime", *app_args], env)
    return figures


def _mode(
    label: str, app_cmd: list[str], bare_cmd: list[str], env: dict[str, str], cwd: Path
) -> list[Figure]:
    app_times, bare_times, ratios, rss, shown, webengine = [], [], [], [], [], False
    live_times: list[float] = []
    early: set[str] = set()
    for _ in range(RUNS):
        bare, _data = run_json(bare_cmd, env)
        seconds, data = run_json(app_cmd, env, cwd=cwd)
        bare_times.append(bare)
        app_times.append(seconds)
        ratios.append(seconds / bare)
        live_times.append(seconds + float(data["live_at"]) - float(data["ready_at"]))  # type: ignore[arg-type]
        early.update(data["loaded_at_first_screen"])  # type: ignore[arg-type]
        rss.append(float(data["maxrss_kb"]) / 1024)  # type: ignore[arg-type]
        shown.append(int(data["orders_shown"]))  # type: ignore[call-overload]
        webengine = webengine or bool(data["webengine_loaded"])
    return [
        Figure(f"{label}: start-up to usable window", median(app_times), "s", note=f"median of {RUNS}"),
        Figure(f"{label}: bare PySide6 window", median(bare_times), "s", note="same runs, alternating"),
        Figure(
            f"{label}: start-up to services running",
            median(live_times),
            "s",
            note="the graph composed and attached after the first screen",
        ),
        Figure(
            f"{label}: service modules loaded before the first screen",
            float(len(early)),
            "",
            budget="0",
            note=", ".join(sorted(early)) or "none",
        ),
        Figure(
            f"{label}: ratio app / bare",
            median(ratios),
            "x",
            budget="<= 3x",
            note=f"median of {RUNS} pairs; {min(ratios):.2f}-{max(ratios):.2f}",
        ),
        Figure(f"{label}: peak memory at start-up", max(rss), "MB", budget="<= 100 MB", note="max"),
        Figure(f"{label}: cached orders shown at start", min(shown), "rows", note="minimum over runs"),
        Figure(f"{label}: QtWebEngine imported", float(webengine), "", budget="0 (never)"),
    ]


def _copy_without_bytecode(target: Path) -> Path:
    """The app's and the sandbox's sources without any `__pycache__` (the sandbox's endpoints file
    reader is imported with --sandbox-endpoints)."""
    for package in ("app", "sandbox"):
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__"))
    return target


_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def _imports(cmd: list[str], env: dict[str, str]) -> list[Figure]:
    """The top-level imports before the first window, by cumulative cost (from -X importtime)."""
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    top: list[tuple[int, str]] = []
    for line in done.stderr.splitlines():
        if line == READY_MARK:
            break  # what loads after the window is usable (the HTTP stack, the keyring) is not counted
        match = _IMPORT_LINE.match(line)
        if match and len(match.group(3)) <= 1:  # imported by the program itself, not by another module
            top.append((int(match.group(2)), match.group(4)))
    top.sort(reverse=True)
    return [
        Figure(f"import before the window: {name}", micros / 1000, "ms", note="one -X importtime run")
        for micros, name in top[:SHOWN_IMPORTS]
    ]
