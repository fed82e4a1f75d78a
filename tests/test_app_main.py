"""The composition root as a real process, and a real sign-in that leaves no secret on disk."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import config
from app.config import Config
from app.logs import setup_logging
from app.paths import AppPaths
from app.services.keyring_store import open_token_store
from app.services.legalconnect.client import LegalConnectClient
from app.services.orders import OrdersService
from app.services.session import SessionService
from app.services.store import Store

ROOT = Path(__file__).resolve().parents[1]
BOXES_PRINTED = (
    "import sys, app.main\n"
    "from PySide6.QtWidgets import QMessageBox\n"
    "QMessageBox.information = staticmethod(lambda parent, title, text: print('BOX:', text))\n"
    "sys.exit(app.main.main(sys.argv[1:]))\n"
)
"""Runs the app with its message boxes printed ("BOX: ...") instead of shown."""


def _start(home: Path, endpoints: Path) -> tuple[dict[str, object], subprocess.CompletedProcess[str]]:
    env = dict(os.environ, LEGALCONNECT_DESKTOP_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "app", "--sandbox-endpoints", str(endpoints), "--benchmark-ready"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("{")), "{}")
    return json.loads(line), done


def test_app_starts_signed_in_shows_orders_and_shuts_down_cleanly(sandbox_world, tmp_path: Path) -> None:
    endpoints = sandbox_world.data_dir / "endpoints.json"
    home = tmp_path / "app"
    first, run1 = _start(home, endpoints)
    assert run1.returncode == 0, run1.stderr[-3000:]
    assert first["orders_shown"] >= 9  # the demo user was signed in and every seeded order listed
    assert first["webengine_loaded"] is False
    second, run2 = _start(home, endpoints)
    assert run2.returncode == 0, run2.stderr[-3000:]
    assert second["orders_shown"] == first["orders_shown"]
    # From the cache, the orders are on screen before the service graph exists; it follows.
    assert second["live_at_first_screen"] is False
    assert second["loaded_at_first_screen"] == []
    assert float(second["live_at"]) >= float(second["ready_at"])
    for run in (run1, run2):
        assert "Traceback" not in run.stderr
        assert "unexpected error" not in run.stderr
        assert "Event loop stopped" not in run.stderr
    log = next(home.rglob("*.log")).read_text(encoding="utf-8")
    assert "shutting down" in log


def test_a_real_sign_in_leaves_no_secret_in_any_file(sandbox_world, tmp_path: Path, memory_keyring) -> None:
    """Password and session token: only in the keyring — not in logs, SQLite, settings or temp."""
    lc = sandbox_world.endpoints.legalconnect
    paths = AppPaths.under(tmp_path / "app").ensure()
    settings = Config.open(paths.settings_file)
    logging_setup = setup_logging(paths.log_file, level="DEBUG", stderr=False)
    tokens, notice = open_token_store()
    assert notice is None  # the test keyring counts as a real one

    async def flow() -> str:
        client = LegalConnectClient(lc.api_url)
        store = Store.open(paths.database_file, scrub=logging_setup.redactor.scrub)
        session = SessionService(client, tokens, settings, logging_setup.redactor.add_secret)
        orders = OrdersService(client, store, paths.cache / "returned")
        signed_in = await session.sign_in(lc.demo_user.email, lc.demo_user.password, remember=True)
        await orders.refresh()
        import logging

        logging.getLogger("app.test").debug(
            "signed in with %s / token %s", lc.demo_user.password, signed_in.access_token
        )
        await client.aclose()
        store.close()
        return signed_in.access_token

    token = asyncio.run(flow())
    logging_setup.close()
    assert settings.get(config.REMEMBERED_EMAIL) == lc.demo_user.email
    assert lc.demo_user.password in memory_keyring.entries.values()
    assert token in memory_keyring.entries.values()
    files = [p for p in (tmp_path / "app").rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files)
    assert any("sqlite" in p.name or p.suffix == ".db" for p in files) or paths.database_file.exists()
    for path in files:
        data = path.read_bytes()
        for secret in (lc.demo_user.password, token):
            assert secret.encode() not in data, f"{secret[:3]}… found in {path.name}"


def test_start_up_imports_only_what_the_first_screen_shows() -> None:
    """The first screen is the orders as last seen: the service graph (engine, clients, the Clio
    connection, the returns filer), the order panel, the wizard, document checking, QtWebEngine,
    the HTTP stack and the keyring load after it is painted (or off the GUI thread); nor are the Qt
    classes only a dialog uses touched (each costs start-up when first touched)."""
    first_screen = "app.main, app.views.main_window, app.services.orders, app.services.store, app.target"
    code = (
        f"import sys, {first_screen}, sandbox.endpoints; "
        "later = ('pypdf', 'PIL', 'cryptography', 'app.services.intake', 'PySide6.QtWebEngine', "
        "'httpx', 'httpcore', 'stamina', 'keyring', 'app.services.keyring_store', 'app.services.clio', "
        "'app.compose', 'app.services.sync', 'app.services.session', 'app.services.secrets', "
        "'app.services.legalconnect.client', 'app.services.legalconnect.ordering', "
        "'app.services.returns.filer', 'app.services.returns.work', 'app.services.returns.notices', "
        "'app.services.expenses', 'app.services.wizard', 'app.views.wizard', 'app.views.order_panel', "
        "'app.views.clio_access', 'app.views.sync_signals', 'app.views.tray', "
        "'app.views.settings_dialog', 'app.views.sign_in', 'sandbox.seed', 'email.utils'); "
        "from PySide6 import QtWidgets; "
        "print([n for n in ('QStyle', 'QMessageBox', 'QFileDialog') if n in QtWidgets.__dict__]); "
        "print(sorted({m for m in sys.modules if m.startswith(later)}))"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["[]", "[]"]


def _sync(home: Path, *args: str, timeout: int = 240) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LEGALCONNECT_DESKTOP_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "app", "sync", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


# A first sync of the seeded firm files its returns and enters its hearing within Clio's 50
# requests a minute (the background share of it): it waits out two windows of the limit.
@pytest.mark.timeout(300)
def test_headless_sync_once_signs_in_refreshes_and_exits_ok(sandbox_world, tmp_path: Path) -> None:
    endpoints = sandbox_world.data_dir / "endpoints.json"
    done = _sync(tmp_path / "app", "--once", "--sandbox-endpoints", str(endpoints))
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    provider = sandbox_world.endpoints.legalconnect.provider_name
    assert f"Signed in to {provider} as Dana Whitfield (Harbor & Vale LLP)" in lines
    assert any(line.endswith("order(s)") for line in lines)
    assert done.stderr == ""
    # The provider unreachable: the same command says so and exits 1 (run it again later).
    sandbox_world.legalconnect_faults.update({"drop_rate": 1.0})
    try:
        again = _sync(tmp_path / "app", "--once", "--sandbox-endpoints", str(endpoints))
    finally:
        sandbox_world.legalconnect_faults.update({"drop_rate": 0.0})
    assert again.returncode == 1
    assert "Offline:" in again.stdout + again.stderr
    assert "Traceback" not in again.stderr


def test_headless_sync_without_a_provider_or_sign_in_says_what_to_do(tmp_path: Path, sandbox_world) -> None:
    done = _sync(tmp_path / "app", "--once")
    assert done.returncode == 2
    assert "--provider-url" in done.stderr
    api = sandbox_world.endpoints.legalconnect.api_url
    nobody = _sync(tmp_path / "app", "--once", "--provider-url", api)
    assert nobody.returncode == 2
    assert "Nobody is signed in" in nobody.stderr
    assert "Traceback" not in nobody.stderr


@pytest.mark.timeout(300)
def test_headless_sync_holds_the_profile_until_sigterm_and_stops_cleanly(
    sandbox_world, tmp_path: Path
) -> None:
    endpoints = sandbox_world.data_dir / "endpoints.json"
    home = tmp_path / "app"
    env = dict(os.environ, LEGALCONNECT_DESKTOP_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    running = subprocess.Popen(
        [sys.executable, "-m", "app", "sync", "--sandbox-endpoints", str(endpoints)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert running.stdout is not None
        seen: list[str] = []
        for line in running.stdout:  # a first refresh has finished once the orders are counted
            seen.append(line.rstrip("\n"))
            if line.rstrip().endswith("order(s)"):
                break
        assert any(line.endswith("order(s)") for line in seen), seen

        second = _sync(home, "--once", "--sandbox-endpoints", str(endpoints))
        assert second.returncode == 3
        assert "in use by legalconnect sync" in second.stderr
        assert "Traceback" not in second.stderr

        # The window refuses the same profile too, and says who has it (the box is recorded, not shown).
        window = subprocess.run(
            [
                sys.executable,
                "-c",
                BOXES_PRINTED,
                "--sandbox-endpoints",
                str(endpoints),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert window.returncode == 0, window.stderr[-2000:]
        box = "BOX: LegalConnect Desktop is already running for this profile: legalconnect sync"
        assert box in window.stdout

        running.send_signal(signal.SIGTERM)
        out, err = running.communicate(timeout=60)
    finally:
        if running.poll() is None:
            running.kill()
            running.wait()
    assert running.returncode == 0, err[-3000:]
    assert out.splitlines()[-1] == "Stopping."
    assert "Traceback" not in err
    # Once stopped, the profile is free again.
    again = _sync(home, "--once", "--sandbox-endpoints", str(endpoints))
    assert again.returncode == 0, again.stderr[-3000:]


def _log_says(path: Path, text: str, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(encoding="utf-8", errors="replace"):
            return True
        time.sleep(0.2)
    return False


def test_a_second_launch_brings_the_running_window_forward_instead(sandbox_world, tmp_path: Path) -> None:
    endpoints = sandbox_world.data_dir / "endpoints.json"
    home = tmp_path / "app"
    env = dict(os.environ, LEGALCONNECT_DESKTOP_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    log_file = AppPaths.under(AppPaths.under(home).data / "sandbox-profile").log_file
    first = subprocess.Popen(
        [sys.executable, "-m", "app", "--sandbox-endpoints", str(endpoints)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert _log_says(log_file, "a second launch on this profile brings this window forward")
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-c", BOXES_PRINTED, "--sandbox-endpoints", str(endpoints)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert second.returncode == 0, second.stderr[-2000:]
        assert "BOX:" not in second.stdout  # no "already running" box: the first window answered
        assert "Traceback" not in second.stderr
        assert _log_says(log_file, "opened again (arguments: ['--sandbox-endpoints',")
        assert time.monotonic() - started < 60
    finally:
        first.kill()
        _out, err = first.communicate(timeout=30)
    assert "Traceback" not in err


def test_damaged_settings_and_database_are_kept_aside_and_the_app_starts(
    sandbox_world, tmp_path: Path, caplog
) -> None:
    from app.main import startup_notices

    endpoints = sandbox_world.data_dir / "endpoints.json"
    home = tmp_path / "app"
    profile = AppPaths.under(AppPaths.under(home).data / "sandbox-profile").ensure()
    profile.settings_file.write_text('{"poll.interval_seconds": 30, "window.close_to_tr', encoding="utf-8")
    profile.database_file.write_bytes(b"\x00garbage after a power cut" * 200)

    # What the window is given to say (offscreen, its notices are not visible from outside).
    settings = Config.open(profile.settings_file)
    store = Store.open(profile.database_file)
    try:
        notices = startup_notices(settings, store)
    finally:
        store.close()
    assert "local database damaged (file is not a database)" in caplog.text
    titles = [title for title, _text in notices]
    assert titles == ["Settings could not be read.", "Local data started afresh."]
    assert "kept as settings.json.bad" in notices[0][1]
    assert store.set_aside is not None and store.set_aside.name in notices[1][1]
    assert "drafts saved only on this computer are in the kept copy" in notices[1][1]

    # And the real app over a damaged pair: it starts, signed in, and keeps both damaged files.
    profile.settings_file.write_text("{not json", encoding="utf-8")
    profile.database_file.write_bytes(b"\x00garbage again" * 200)
    ready, done = _start(home, endpoints)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert int(ready.get("orders_shown", 0)) >= 1
    kept = sorted(p.name for p in profile.database_file.parent.iterdir() if ".damaged-" in p.name)
    assert len(kept) == 2  # this start's and the one above
    first_bad = profile.settings_file.with_name(profile.settings_file.name + ".bad")
    assert first_bad.read_text() == '{"poll.interval_seconds": 30, "window.close_to_tr'  # kept, not replaced
    assert first_bad.with_name(first_bad.name + "-2").read_text() == "{not json"


def test_smoke_mode_opens_clios_pop_up_and_quits_cleanly(sandbox_world, tmp_path: Path) -> None:
    """What the packaged build's smoke test runs, from source: orders shown, Clio's sign-in page
    loaded in QtWebEngine, exit 0 and nothing on stderr (quitting after the pop-up once crashed)."""
    endpoints = sandbox_world.data_dir / "endpoints.json"
    env = dict(os.environ, LEGALCONNECT_DESKTOP_HOME=str(tmp_path / "app"), QT_QPA_PLATFORM="offscreen")
    env.pop("QTWEBENGINE_CHROMIUM_FLAGS", None)
    report = tmp_path / "smoke.json"
    done = subprocess.run(
        [sys.executable, "-m", "app", "--sandbox-endpoints", str(endpoints), "--smoke-test", str(report)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr == ""
    said = json.loads(report.read_text(encoding="utf-8"))
    assert said["clio_page_loaded"] is True and said["clio_page_title"] == "Sign in - Clio"
    assert said["orders_shown"] >= 1
