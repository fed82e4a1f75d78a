"""Start-up: process start to a usable main window with the cached orders shown.

The sandbox runs in its own process first (as a real provider would be already there). One
warm-up run signs the demo user in and fills the local cache; then bare PySide6 windows and app
starts alternate, so both see the same machine state. Budget: the app within 4x the bare window's
median, peak memory <= 150 MB, QtWebEngine not imported.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from benchmarks.common import ROOT, Figure, child_env, median, run_json, sandbox_process

RUNS = 7


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="lcd-bench-") as tmp:
        base = Path(tmp)
        with sandbox_process(base / "sandbox") as endpoints:
            env = child_env(base / "home")
            app_cmd = [sys.executable, "-m", "app", "--sandbox-endpoints", str(endpoints)]
            app_cmd.append("--benchmark-ready")
            bare_cmd = [sys.executable, str(ROOT / "benchmarks" / "bare_window.py")]
            run_json(app_cmd, env)  # warm-up: signs in, fills the cache; also warms the page cache
            run_json(bare_cmd, env)
            app_times, bare_times, rss, shown, webengine = [], [], [], [], False
            for _ in range(RUNS):
                seconds, _data = run_json(bare_cmd, env)
                bare_times.append(seconds)
                seconds, data = run_json(app_cmd, env)
                app_times.append(seconds)
                rss.append(float(data["maxrss_kb"]) / 1024)  # type: ignore[arg-type]
                shown.append(int(data["orders_shown"]))  # type: ignore[call-overload]
                webengine = webengine or bool(data["webengine_loaded"])
    app_median, bare_median = median(app_times), median(bare_times)
    return [
        Figure("start-up to usable window (median)", app_median, "s", note=f"{RUNS} runs"),
        Figure("bare PySide6 window (median)", bare_median, "s", note="same runs, alternating"),
        Figure("start-up ratio app / bare", app_median / bare_median, "x", budget="<= 4x"),
        Figure("peak memory at start-up (max)", max(rss), "MB", budget="<= 150 MB"),
        Figure("cached orders shown at start", min(shown), "rows", note="minimum over runs"),
        Figure("QtWebEngine imported at start-up", float(webengine), "", budget="0 (never)"),
    ]
