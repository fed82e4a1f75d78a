"""The composition root of the service graph: every service built once, in one place, without Qt.

Both faces use it: the window (`app.main`) and the headless command (`app.cli`, `legalconnect
sync`). `compose` builds, in order, the connection pools (one per remote), the local store, the
token store (the OS keyring, found when the engine starts), the LegalConnect client, the session,
the orders, the Clio connection, the sync engine and the order desk (intake, conversion and each
draft's submission). Nothing else in the app constructs a service; views, models and launchers
receive what they need from here. `Services.aclose` takes it all down again in reverse order.

Where the app talks to is a `Target`: a real Service Provider's address from the settings, or the
built-in sandbox world (started here in a background thread, or one already running).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app import config
from app.config import Config
from app.paths import AppPaths
from app.redaction import Redactor
from app.services.clio.connection import ClioConnection
from app.services.http import Remotes
from app.services.legalconnect.client import LegalConnectClient
from app.services.orders import OrdersService
from app.services.returns.filer import ReturnsFiler
from app.services.returns.notices import DecisionNotices
from app.services.secrets import DeferredTokenStore, TokenStore
from app.services.session import SessionService
from app.services.store import Store
from app.services.sync.clock import Clock
from app.services.sync.engine import SyncEngine
from app.services.wizard.desk import OrderDesk

if TYPE_CHECKING:
    import httpx

    from sandbox.launcher import SandboxWorld

log = logging.getLogger(__name__)


@dataclass
class Target:
    """Where the app talks to, and the demo sign-ins to fill in for the sandbox."""

    provider_url: str
    demo_email: str = ""
    demo_password: str = ""
    clio_demo_email: str = ""
    clio_demo_password: str = ""
    world: SandboxWorld | None = None
    """The sandbox servers this process started (stopped by `stop()`), if any."""

    @property
    def sandbox(self) -> bool:
        return bool(self.demo_email)

    def stop(self) -> None:
        """Stop the sandbox servers this process started."""
        if self.world is not None:
            self.world.stop()
            self.world = None


def profile_paths(sandbox: bool) -> AppPaths:
    """The app's directories; the sandbox gets a profile of its own, so its settings, cache and
    drafts never mix with a real provider's."""
    paths = AppPaths.from_environment()
    if sandbox:
        paths = AppPaths.under(paths.data / "sandbox-profile")
    return paths.ensure()


def sandbox_target(paths: AppPaths, endpoints_file: Path | None) -> Target:
    """The built-in sandbox: started now (in a background thread of this process), or the one
    already running that wrote `endpoints_file`."""
    from sandbox.endpoints import Endpoints

    world: SandboxWorld | None = None
    if endpoints_file is not None:
        endpoints = Endpoints.from_json(endpoints_file.read_text(encoding="utf-8"))
    else:
        from sandbox.launcher import SandboxWorld

        world = SandboxWorld(paths.data / "sandbox-world")
        endpoints = world.start(timeout=600)
    lc, clio = endpoints.legalconnect, endpoints.clio
    return Target(
        lc.api_url,
        lc.demo_user.email,
        lc.demo_user.password,
        clio.demo_user.email,
        clio.demo_user.password,
        world,
    )


def provider_target(settings: Config, provider_url: str | None = None) -> Target | None:
    """A real Service Provider: `provider_url` (saved to the settings) or the one saved before;
    None when none is known yet."""
    if provider_url:
        settings.set(config.PROVIDER_URL, provider_url)
    url = settings.get(config.PROVIDER_URL)
    return Target(url) if url else None


@dataclass
class Services:
    """The whole service graph of one running app (see the module docstring)."""

    paths: AppPaths
    settings: Config
    redactor: Redactor
    tokens: TokenStore
    remotes: Remotes
    store: Store
    legalconnect: LegalConnectClient
    session: SessionService
    orders: OrdersService
    clio: ClioConnection
    engine: SyncEngine
    returns: ReturnsFiler
    notices: DecisionNotices
    desk: OrderDesk
    target: Target
    _closed: bool = field(default=False, repr=False)

    @property
    def provider_name(self) -> str:
        """The Service Provider's name once its profile is read, else a generic one."""
        provider = self.session.provider
        return provider.name if provider else self.legalconnect.service_name

    async def aclose(self) -> None:
        """Stop the engine, then close the connections and the database (on quit)."""
        if self._closed:
            return
        self._closed = True
        await self.engine.aclose()
        await self.clio.aclose()
        await self.remotes.aclose()
        self.store.close()


def compose(
    paths: AppPaths,
    settings: Config,
    target: Target,
    *,
    redactor: Redactor,
    tokens: TokenStore | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock | None = None,
) -> Services:
    """Build the service graph for `target` (see the module docstring).

    `tokens` replaces the OS keyring (tests pass a memory store); `transport` every HTTP transport;
    `clock` the engine's clock."""
    remotes = Remotes(transport=transport)
    store = Store.open(paths.database_file, scrub=redactor.scrub)
    secrets: TokenStore
    open_secrets: Callable[[], str | None] | None = None
    if tokens is None:
        deferred = DeferredTokenStore()
        secrets, open_secrets = deferred, deferred.open
    else:
        secrets = tokens
    legalconnect = LegalConnectClient(
        target.provider_url, service_name="your Service Provider", remotes=remotes
    )
    demo = (target.demo_email, target.demo_password) if target.sandbox else None
    session = SessionService(legalconnect, secrets, settings, redactor.add_secret, demo=demo)
    orders = OrdersService(legalconnect, store, paths.cache / "returned-documents")
    clio = ClioConnection(
        secrets, settings, remotes, broker_bearer=lambda: legalconnect.token, add_secret=redactor.add_secret
    )
    engine = SyncEngine(session, orders, clio, settings, clock=clock, open_secrets=open_secrets)

    def provider_name() -> str:
        return session.provider.name if session.provider else legalconnect.service_name

    returns = ReturnsFiler(
        legalconnect, clio, store, settings, temp_dir=paths.temp, provider_name=provider_name
    )
    engine.add_job(returns)
    notices = DecisionNotices(engine, returns, settings)

    desk = OrderDesk(
        legalconnect,
        store,
        settings,
        work_root=paths.temp,
        clio_client=lambda: clio.client if clio.connected else None,
        provider_name=provider_name,
    )
    return Services(
        paths,
        settings,
        redactor,
        secrets,
        remotes,
        store,
        legalconnect,
        session,
        orders,
        clio,
        engine,
        returns,
        notices,
        desk,
        target,
    )
