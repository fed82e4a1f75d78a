"""`app.services` (every module under it) and the Qt-free foundations import without Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter: a meta-path finder refuses the Qt bindings and qasync, then every
# module under app.services (found with pkgutil) is imported.
_PROBE = """
import importlib, importlib.abc, pkgutil, sys

BLOCKED = ("PySide6", "shiboken6", "qasync")

class NoQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked: this code must not need Qt")
        return None

sys.meta_path.insert(0, NoQt())
try:
    import PySide6  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("the blocker does not work")

import app.services
names = ["app", "app.paths", "app.config", "app.settings_types", "app.settings_storage"]
names += ["app.redaction", "app.logs", "app.compose", "app.cli"]
names += [m.name for m in pkgutil.walk_packages(app.services.__path__, "app.services.")]
for name in names:
    importlib.import_module(name)
leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
assert not leaked, leaked
print("\\n".join(names))
"""


def test_services_import_without_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    imported = result.stdout.split()
    for name in ("app.services.secrets", "app.services.store", "app.compose", "app.cli", "app.logs"):
        assert name in imported


# The whole composed graph in a fresh interpreter where Qt cannot be imported: the engine signs the
# sandbox's demo user in and refreshes (the headless `--once`), the Clio connection is configured,
# connected through Clio's real consent pages and used, and every remote has exactly one pool.
_GRAPH = (
    _PROBE.split("import app.services")[0]
    + """
import asyncio, json
from pathlib import Path
from app.compose import compose, sandbox_target
from app.config import Config
from app.paths import AppPaths
from app.redaction import Redactor
from app.services.secrets import MemoryTokenStore
from sandbox.endpoints import Endpoints
from tests.services.clio.auth_fixtures import consent

endpoints_file, home = Path(sys.argv[1]), Path(sys.argv[2])
paths = AppPaths.under(home).ensure()
target = sandbox_target(paths, endpoints_file)
clio_login = Endpoints.from_json(endpoints_file.read_text()).clio.demo_user

async def main():
    services = compose(paths, Config.in_memory(), target, redactor=Redactor(), tokens=MemoryTokenStore())
    try:
        ran = await services.engine.run_once()
        clio = services.clio
        offered = clio.enabled and not clio.connected
        location = await asyncio.to_thread(consent, clio.auth.begin().url, "allow", clio_login)
        await clio.auth.complete(location)
        user = await clio.load_account()
        clients = await clio.client.client_page()
        return {
            "ran": ran,
            "orders": len(services.orders.cached()),
            "offered": offered,
            "user": user.name if user else None,
            "status": clio.status_text,
            "clients": len(clients.items),
            "pools": services.remotes.open_count,
        }
    finally:
        await services.aclose()

result = asyncio.run(main())
leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
assert not leaked, leaked
print(json.dumps(result))
"""
)


def test_the_composed_graph_runs_without_qt(sandbox_world, tmp_path: Path) -> None:
    import json

    endpoints = sandbox_world.data_dir / "endpoints.json"
    result = subprocess.run(
        [sys.executable, "-c", _GRAPH, str(endpoints), str(tmp_path / "home")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["ran"] is True and facts["orders"] >= 9
    assert facts["offered"] is True
    assert facts["user"] == "Dana Whitfield"
    assert facts["status"] == "Clio: Dana Whitfield · Harbor & Vale LLP (US)"
    assert facts["clients"] >= 8
    # One pool for the Service Provider (the token broker's too) and one for Clio (OAuth, API, storage).
    assert facts["pools"] == 2
