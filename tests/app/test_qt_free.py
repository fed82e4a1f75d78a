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
names += ["app.redaction", "app.logs"]
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
    for name in ("app.services.secrets", "app.services.store", "app.services.store_migrations", "app.logs"):
        assert name in imported
