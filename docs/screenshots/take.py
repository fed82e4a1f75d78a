"""Drive the real app offscreen on the sandbox and save PNGs of its main screens here.

    ./dev screenshots          (or: python docs/screenshots/take.py)

The app is assembled from the same services `app.main` builds, against a fresh sandbox, and each
screen is grabbed once it has really loaded (orders listed, detail fetched, dialog shown).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


def main() -> None:
    import qasync
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication

    from app.compose import Target, compose
    from app.config import Config
    from app.paths import AppPaths
    from app.redaction import Redactor
    from app.services.legalconnect.records import OrderStatus
    from app.services.secrets import MemoryTokenStore
    from app.views.main_window import Live, MainWindow
    from app.views.notify import Level
    from app.views.tasks import TaskRunner
    from sandbox.launcher import SandboxWorld

    # Offscreen Qt runs in the "C" locale; show dates as a US workstation would.
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    def settle(condition: Callable[[], bool], timeout: float = 20.0) -> None:
        async def wait() -> None:
            deadline = time.monotonic() + timeout
            while not condition():
                if time.monotonic() > deadline:
                    raise TimeoutError("the screen did not finish loading")
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # let the last paint happen

        loop.run_until_complete(wait())

    with tempfile.TemporaryDirectory(prefix="lcd-shots-") as tmp, SandboxWorld(Path(tmp) / "sb") as world:
        lc = world.endpoints.legalconnect
        paths = AppPaths.under(Path(tmp) / "app").ensure()
        target = Target(lc.api_url, lc.demo_user.email, lc.demo_user.password)
        services = compose(paths, Config.in_memory(), target, redactor=Redactor(), tokens=MemoryTokenStore())
        window: MainWindow | None = None
        runner = TaskRunner(
            lambda _o, m: window.notification_area.show_notice("", m, Level.ERROR) if window else None
        )
        window = MainWindow(
            settings=services.settings,
            runner=runner,
            diagnostics=lambda: "",
            live=Live(services.engine, services.desk),
        )
        window.show_clio_status("Clio: not connected")
        window.resize(1280, 760)
        window.show()
        window.start()
        settle(lambda: len(window.orders_view.visible_orders()) >= 9 and not window.refreshing)

        def shoot(name: str) -> None:
            window.grab().save(str(OUT / f"{name}.png"))
            print(f"saved docs/screenshots/{name}.png")

        shoot("orders")
        partial = next(
            o for o in window.orders_view.visible_orders() if o.status is OrderStatus.PARTIALLY_ACCEPTED
        )
        window.orders_view.select_order(partial.id)
        settle(
            lambda: not window.order_panel.loading and window.order_panel.deliverables_model.rowCount() > 0
        )
        window.order_panel.tabs.setCurrentIndex(0)
        settle(lambda: True)
        shoot("order-documents")
        window.order_panel.tabs.setCurrentIndex(1)
        settle(lambda: True)
        shoot("order-deliverables")

        world.legalconnect_faults.update({"error_rate": 1.0})
        window.refresh()
        settle(lambda: window.offline_notice is not None and not window.refreshing, timeout=60)
        shoot("offline")
        world.legalconnect_faults.update({"error_rate": 0.0})

        window.show_sign_in()
        dialog = window.sign_in_dialog
        settle(lambda: dialog is not None and dialog.isVisible())
        assert dialog is not None
        dialog.grab().save(str(OUT / "sign-in.png"))
        print("saved docs/screenshots/sign-in.png")
        dialog.reject()
        loop.run_until_complete(runner.shutdown())
        loop.run_until_complete(services.aclose())
        window.close()


if __name__ == "__main__":
    main()
