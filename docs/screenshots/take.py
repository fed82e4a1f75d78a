"""Drive the real app offscreen on the sandbox and save PNGs of its main screens here.

    ./dev screenshots          (or: python docs/screenshots/take.py)

The app is assembled from the same services `app.main` builds, against a fresh sandbox, and each
screen is grabbed once it has really loaded (orders listed, detail fetched, dialog shown). Then Clio
is connected (the demo consent, as `legalconnect sync --sandbox` does), the court decides two
submitted orders, and the shots show what follows by itself: the notification, the returned
documents in their Clio matter folder, and the fees as expenses on the Activities page.
Everything runs in one coroutine, so the app's own tasks keep running between the shots.
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


async def settle(condition: Callable[[], bool], within: float = 20.0) -> None:
    """Wait until `condition()` holds (the screen has loaded), then for the last paint."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not finish loading")
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)


def save(widget: object, name: str) -> None:
    from PySide6.QtWidgets import QWidget

    assert isinstance(widget, QWidget)
    widget.grab().save(str(OUT / f"{name}.png"))
    print(f"saved docs/screenshots/{name}.png")


async def shots(tmp: Path) -> None:
    import httpx

    from app import config
    from app.compose import Target, compose
    from app.config import Config
    from app.paths import AppPaths
    from app.redaction import Redactor
    from app.services.legalconnect.records import OrderStatus
    from app.services.secrets import MemoryTokenStore
    from app.views.clio_access import ClioAccess
    from app.views.main_window import Live, MainWindow
    from app.views.notify import Level
    from app.views.tasks import TaskRunner
    from sandbox.demo import allow
    from sandbox.launcher import SandboxWorld

    with SandboxWorld(tmp / "sb") as world:
        lc = world.endpoints.legalconnect
        world.clio_faults.update({"rate_limit_per_minute": 100_000})  # the returns backlog, unhurried
        paths = AppPaths.under(tmp / "app").ensure()
        target = Target(lc.api_url, lc.demo_user.email, lc.demo_user.password)
        settings = Config.in_memory()
        settings.set(config.FEES_POSTING, "automatic")  # the fees of orders decided from today
        services = compose(paths, settings, target, redactor=Redactor(), tokens=MemoryTokenStore())
        window: MainWindow | None = None
        runner = TaskRunner(
            lambda _o, m: window.notification_area.show_notice("", m, Level.ERROR) if window else None
        )
        live = Live(
            services.engine,
            services.desk,
            ClioAccess(services.clio, runner),
            services.returns,
            services.notices,
            services.expenses,
        )
        window = MainWindow(settings=settings, runner=runner, diagnostics=lambda: "", live=live)
        window.resize(1280, 760)
        window.show()
        window.start()
        await settle(lambda: len(window.orders_view.visible_orders()) >= 9 and not window.refreshing)
        save(window, "orders")

        partial = next(
            o for o in window.orders_view.visible_orders() if o.status is OrderStatus.PARTIALLY_ACCEPTED
        )
        window.orders_view.select_order(partial.id)
        panel = window.order_panel
        await settle(lambda: not panel.loading and panel.deliverables_model.rowCount() > 0)
        panel.tabs.setCurrentIndex(0)
        await settle(lambda: True)
        save(window, "order-documents")
        panel.tabs.setCurrentIndex(1)
        await settle(lambda: True)
        save(window, "order-deliverables")

        world.legalconnect_faults.update({"error_rate": 1.0})
        window.refresh()
        await settle(lambda: window.offline_notice is not None and not window.refreshing, within=60)
        save(window, "offline")
        world.legalconnect_faults.update({"error_rate": 0.0})
        window.offline_notice.dismiss()

        window.show_sign_in()
        dialog = window.sign_in_dialog
        await settle(lambda: dialog is not None and dialog.isVisible())
        save(dialog, "sign-in")
        assert dialog is not None
        dialog.reject()

        # Clio connected: what waited for it is filed; then the court decides two submitted orders.
        auth = services.clio.auth
        assert auth is not None
        location = await asyncio.to_thread(allow, auth.begin().url, world.endpoints.clio.demo_user)
        await auth.complete(location)
        returns = services.returns

        def filed_everything() -> bool:
            orders = services.orders.cached()
            return not window.refreshing and all(returns.order_filing(o).waiting == 0 for o in orders)

        window.refresh()
        await settle(filed_everything, within=180)
        pending = (OrderStatus.SUBMITTED, OrderStatus.UNDER_REVIEW)
        deciding = [o for o in services.orders.cached() if o.status in pending and o.clio][:2]
        async with httpx.AsyncClient(timeout=30) as admin:
            for order in deciding:
                made = await admin.post(
                    f"{lc.base_url}/_sandbox/legalconnect/clerk/run", json={"order_id": order.id}
                )
                made.raise_for_status()
        numbers = [o.order_number for o in deciding]

        def announced() -> int:
            return sum(any(n in notice.title for n in numbers) for notice in window.notification_area.notices)

        window.refresh()
        await settle(lambda: announced() == len(deciding) and filed_everything(), within=180)
        save(window, "notification")

        window.orders_view.select_order(deciding[0].id)
        await settle(lambda: not panel.loading and panel.deliverables_model.rowCount() > 0)
        panel.tabs.setCurrentIndex(1)
        panel.deliverables.selectRow(0)
        panel.show_in_clio()
        await settle(lambda: panel.clio_browser is not None and panel.clio_browser.files_model.rowCount() > 0)
        browser = panel.clio_browser
        assert browser is not None
        await settle(lambda: not browser.busy.isVisible())
        save(browser, "returns-in-clio")
        browser.reject()

        window.show_activities()
        page = window.activities
        assert page is not None
        await settle(lambda: page.model.rowCount() > 0 and not page.loading, within=60)
        save(window, "activities")

        await runner.shutdown()
        await services.aclose()
        window.close()


def main() -> None:
    import qasync
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication

    # Offscreen Qt runs in the "C" locale; show dates as a US workstation would.
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with tempfile.TemporaryDirectory(prefix="lcd-shots-") as tmp:
            loop.run_until_complete(shots(Path(tmp)))
    finally:
        loop.close()


if __name__ == "__main__":
    main()
