"""The composition root of the service graph: every service built once, in one place, without Qt.

Both faces use it: the window (`app.main`) and the headless command (`app.cli`, `legalconnect
sync`). `compose` builds, in order, the connection pools (one per remote), the local store, the
token store (the OS keyring, found when the engine starts), the LegalConnect client, the session,
the orders, the Clio connection, the sync engine with its jobs (the returns filer, the expense
poster, the hearing scheduler) and the order desk (intake, conversion and each draft's
submission). Nothing else in the app constructs a service; views, models and launchers receive
what they need from here.
`Services.aclose` takes it all down again in reverse order.

Where the app talks to is a `Target` (`app.target`): a real Service Provider's address from the
settings, or the built-in sandbox world (started in a background thread, or one already running).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.config import Config
from app.paths import AppPaths
from app.redaction import Redactor
from app.services.calendar.notices import announce_hearings
from app.services.calendar.scheduler import HearingScheduler
from app.services.clio.connection import ClioConnection
from app.services.expenses.poster import ExpensePoster
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
from app.services.wizard.reconcile import DraftOrderReconciler
from app.target import Target, profile_paths, provider_target, sandbox_target

if TYPE_CHECKING:
    import httpx


__all__ = [
    "Services",
    "Target",
    "compose",
    "profile_paths",
    "provider_target",
    "sandbox_target",
]


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
    expenses: ExpensePoster
    notices: DecisionNotices
    desk: OrderDesk
    target: Target
    hearings: HearingScheduler
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
    store: Store | None = None,
) -> Services:
    """Build the service graph for `target` (see the module docstring).

    `tokens` replaces the OS keyring (tests pass a memory store); `transport` every HTTP transport;
    `clock` the engine's clock; `store` the local database when it is open already (the window
    opens it first, to show the cached orders before the rest is built)."""
    remotes = Remotes(transport=transport)
    if store is None:
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

    desk = OrderDesk(
        legalconnect,
        store,
        settings,
        work_root=paths.temp,
        clio_client=lambda: clio.client if clio.connected else None,
        provider_name=provider_name,
    )
    # First, once per run (it is quick): stray draft orders, drafts the provider took before the
    # app stopped, and the working files of drafts that are gone.
    engine.add_job(DraftOrderReconciler(legalconnect, store, remove_unused_work=desk.remove_unused_work))
    returns = ReturnsFiler(
        legalconnect, clio, store, settings, temp_dir=paths.temp, provider_name=provider_name
    )
    engine.add_job(returns)
    expenses = ExpensePoster(legalconnect, clio, store, settings)
    engine.add_job(expenses)
    hearings = HearingScheduler(clio, store, settings)
    engine.add_job(hearings)
    notices = DecisionNotices(engine, returns, settings)
    announce_hearings(hearings, notices.events)
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
        expenses,
        notices,
        desk,
        target,
        hearings,
    )
