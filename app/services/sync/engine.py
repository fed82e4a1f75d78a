"""The sync engine: signed in to the Service Provider, the orders kept current, the jobs that follow.

One engine serves every face — the main window, the tray while the window is closed, and the
headless `legalconnect sync` — which only subscribe to its events (`sync.events`) and ask for work
(`refresh_now`, `signed_in`, `sign_out`, `order_submitted`). Its loop, one task on the event loop:

1. Not signed in: restore the remembered sign-in silently; nothing remembered → `SignInNeeded`, and
   wait for `signed_in()`; the provider unreachable → `Offline`, and try again with back-off.
2. Signed in: refresh the orders incrementally (one small request when nothing changed), announce
   what changed and which orders the court decided, then hand the orders to the jobs (returns
   filing, expense posting), which run beside the polling so a long filing never delays a Refresh.
3. Wait for the next poll: every `FAST_POLL_S` while an order submitted from this workstation in
   the last `FAST_WINDOW_S` awaits the clerk, else the idle interval from the settings; while
   offline, a back-off from `OFFLINE_FIRST_RETRY_S` up to the idle interval. `refresh_now` ends the
   wait at once. Exactly one refresh is ever in flight.

Time comes from an injected `Clock`, so the schedule is tested by moving a fake clock. No Qt here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from app import config
from app.config import Config
from app.services.background import Background
from app.services.clio.connection import ClioConnection, ClioConnectionLost, ClioEvent
from app.services.events import EventHub
from app.services.http import AuthRequired, ServiceError
from app.services.legalconnect.records import Order, Session
from app.services.orders import OrdersRefresh, OrdersService
from app.services.session import SessionService
from app.services.sync.clock import Clock, SystemClock
from app.services.sync.events import (
    ClioConnectionEnded,
    Connecting,
    DocumentsArrived,
    Offline,
    Online,
    OrderDecided,
    OrdersChanged,
    RefreshFinished,
    RefreshStarted,
    SecretsUnavailable,
    SessionStarted,
    SignedOut,
    SignInNeeded,
    SyncEvent,
)

log = logging.getLogger(__name__)

FAST_POLL_S = 5.0
"""Poll interval while an order submitted here awaits the clerk."""
FAST_WINDOW_S = 10 * 60.0
"""How long after a submit the fast polling lasts (clerks decide most orders well within this)."""
OFFLINE_FIRST_RETRY_S = 5.0
"""First retry after the provider could not be reached; each further one waits twice as long."""


class SyncJob(Protocol):
    """Work that follows each refresh (filing returns into Clio, posting fees)."""

    name: str

    async def run(self, orders: Sequence[Order]) -> None:
        """Do whatever the current orders call for; raise ServiceError when it could not."""
        ...


class SyncEngine:
    """The engine (see the module docstring). Build it once; `start()` it on the running loop."""

    def __init__(
        self,
        session: SessionService,
        orders: OrdersService,
        clio: ClioConnection,
        settings: Config,
        *,
        clock: Clock | None = None,
        open_secrets: Callable[[], str | None] | None = None,
    ) -> None:
        """`open_secrets` finds the system keyring (run off the event loop at start); it returns a
        notice when there is none."""
        self.session = session
        self.orders = orders
        self.clio = clio
        self._settings = settings
        self._clock: Clock = clock or SystemClock()
        self._open_secrets = open_secrets
        self.events: EventHub[SyncEvent] = EventHub()
        self._jobs: list[SyncJob] = []
        self._loop_task: asyncio.Task[None] | None = None
        self._background = Background("sync engine")
        self._wake = asyncio.Event()
        self._refresh_wanted = False
        self._refreshing = False
        self._offline_failures = 0
        self._offline = False
        self._watched: dict[int, float] = {}
        self._jobs_task: asyncio.Task[None] | None = None
        self._jobs_again: Sequence[Order] | None = None
        self._prepared = False
        self._announced: Session | None = None
        self._ended_because = ""
        self.refresh_count = 0
        """How many refreshes have been started (tests and diagnostics)."""
        self._clio_connected = False
        clio.events.subscribe(self._clio_event)

    # -- state ----------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._loop_task is not None and not self._loop_task.done()

    @property
    def signed_in(self) -> bool:
        return self.session.session is not None

    @property
    def polling(self) -> bool:
        """Whether orders are being polled now (running and signed in)."""
        return self.running and self.signed_in

    @property
    def refreshing(self) -> bool:
        """True from the moment a refresh is asked for until its outcome has been announced."""
        return self._refreshing or (self._refresh_wanted and self.polling)

    @property
    def offline(self) -> bool:
        return self._offline

    @property
    def idle_interval(self) -> float:
        """Seconds between polls when nothing is awaited (the setting)."""
        return float(self._settings.get(config.POLL_INTERVAL))

    def next_delay(self) -> float:
        """Seconds until the next refresh as things stand (0: at once)."""
        if self._refresh_wanted:
            return 0.0
        idle = self.idle_interval
        if self._offline:
            backoff: float = OFFLINE_FIRST_RETRY_S * 2.0 ** max(0, self._offline_failures - 1)
            return min(idle, backoff)
        now = self._clock.now()
        self._watched = {oid: at for oid, at in self._watched.items() if now - at < FAST_WINDOW_S}
        return min(idle, FAST_POLL_S) if self._watched else idle

    # -- what the faces ask for -----------------------------------------------------------------

    def add_job(self, job: SyncJob) -> None:
        """Run `job` after every refresh from now on."""
        self._jobs.append(job)

    def start(self) -> None:
        """Announce the cached orders now, then start the loop (sign in, refresh, poll)."""
        if self.running:
            return
        self.events.emit(OrdersChanged(tuple(self.orders.cached())))
        self._loop_task = self._background.spawn(self._run(), "loop")

    def refresh_now(self) -> None:
        """Refresh at once (F5, Retry); while signed out, try signing in again instead."""
        self._refresh_wanted = True
        self._wake.set()

    def signed_in_interactively(self) -> None:
        """The sign-in dialog signed the user in (the session service holds the session): go on."""
        self._wake.set()

    def order_submitted(self, order: Order) -> None:
        """An order was submitted from this workstation: list it now, and poll fast for its decision."""
        self._watched[order.id] = self._clock.now()
        self.refresh_now()

    def order_deleted(self, order_id: int) -> None:
        """A draft order was deleted from this workstation: it leaves the list now."""
        self.orders.store.forget_orders([order_id])
        self.events.emit(OrdersChanged(tuple(self.orders.cached())))

    def apply_settings(self) -> None:
        """The settings changed: the poll interval applies from now, Clio follows its region."""
        self.clio.reconfigure()
        self._wake.set()

    async def sign_out(self) -> None:
        """End the session and forget the user's remembered sign-in, cached orders and Clio setup."""
        await self._stop_loop()
        jobs, self._jobs_task, self._jobs_again = self._jobs_task, None, None
        if jobs is not None and not jobs.done():
            jobs.cancel()  # what they did so far is journalled; they resume at the next sign-in
            with contextlib.suppress(asyncio.CancelledError):
                await jobs
        self._watched.clear()
        self._refresh_wanted = False
        try:
            await self.session.sign_out()
        finally:
            self.orders.forget()
            self.clio.configure(None, "")
            self._offline, self._offline_failures = False, 0
            self.events.emit(SignedOut())
            self.events.emit(OrdersChanged(()))
            self._loop_task = self._background.spawn(self._run(), "loop")

    async def run_once(self) -> bool:
        """Sign in silently, refresh once and run the jobs to the end (the headless `--once`).

        Returns False when nothing could be done (signed out, or the provider unreachable)."""
        await self._prepare()
        if not self.signed_in and not await self._connect(wait=False):
            return False
        if self._announced is not self.session.session:
            self._session_started()
        result = await self._refresh(start_jobs=False)
        if result is None:
            return False
        await self._jobs_idle()
        await self._run_jobs(result.orders)
        return True

    async def aclose(self) -> None:
        """Stop the loop and the jobs (on quit); nothing half-done is lost, the journal resumes it."""
        await self._background.aclose()
        self._loop_task = self._jobs_task = None

    # -- the loop -------------------------------------------------------------------------------

    async def _stop_loop(self) -> None:
        task, self._loop_task = self._loop_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._refreshing = False

    async def _run(self) -> None:
        await self._prepare()
        while True:
            if not self.signed_in:
                await self._connect(wait=True)
                continue
            if self._announced is not self.session.session:
                self._session_started()  # signed in before the loop started (the headless command)
            await self._refresh()
            if self.signed_in:
                await self._pause(self.next_delay())

    async def _prepare(self) -> None:
        if self._prepared:
            return
        self._prepared = True
        # Loading the HTTP stack and setting up TLS, loading the Clio client, and the keyring's
        # backend discovery (which reads the disk and may ask D-Bus) each take tens of
        # milliseconds: not on the GUI thread.
        with contextlib.suppress(ValueError):  # an unusable address is reported by the first request
            await asyncio.to_thread(self.session.client.prepare)
        await asyncio.to_thread(self.clio.preload)
        if self._open_secrets is None:
            return
        notice = await asyncio.to_thread(self._open_secrets)
        if notice:
            self.events.emit(SecretsUnavailable(notice))

    async def _connect(self, *, wait: bool) -> bool:
        """Sign in silently; True when signed in. With `wait`, wait out a failure or the sign-in."""
        self.events.emit(Connecting())
        self._refresh_wanted = False
        try:
            session = await self.session.restore()
        except ServiceError as error:
            self._went_offline(error)
            if wait:
                await self._pause(self.next_delay())
            return False
        if session is None:
            if self.session.provider is None:
                # Public: the sign-in window then says whose portal it is.
                with contextlib.suppress(ServiceError):
                    await self.session.load_provider()
            self.events.emit(SignInNeeded(self._ended_because))
            while wait and not self.signed_in:
                await self._pause(None)
            if not self.signed_in:
                return False
        self._session_started()
        return True

    def _session_started(self) -> None:
        session = self.session.session
        assert session is not None
        self._announced, self._ended_because = session, ""
        self.clio.configure(self.session.provider, session.user_email)
        self.events.emit(SessionStarted(session, self.session.provider))

    async def _refresh(self, *, start_jobs: bool = True) -> OrdersRefresh | None:
        """One refresh and its announcements, then the jobs in the background (unless `start_jobs`
        is False); None when it failed (the failure was announced)."""
        self._refresh_wanted = False
        self._refreshing = True
        self.refresh_count += 1
        self.events.emit(RefreshStarted())
        try:
            result = await self.orders.refresh_changes()
        except AuthRequired as error:
            # The provider ended the session: sign in again silently if a password is remembered
            # (the loop's next step), else ask, saying why.
            self._refreshing = False
            self._ended_because = error.user_message
            self.session.session = None
            self.session.client.use_token(None)
            self.clio.configure(None, "")
            self.events.emit(RefreshFinished(ok=False))
            return None
        except ServiceError as error:
            self._refreshing = False
            self._went_offline(error)
            self.events.emit(RefreshFinished(ok=False))
            return None
        except BaseException:
            self._refreshing = False
            raise
        self.events.emit(OrdersChanged(tuple(result.orders)))
        for order in self._decided(result):
            self._watched.pop(order.id, None)
            self.events.emit(OrderDecided(order))
        for order, count in self._arrived(result):
            self.events.emit(DocumentsArrived(order, count))
        if self._offline:
            self._offline, self._offline_failures = False, 0
            self.events.emit(Online())
        self._refreshing = False
        self.events.emit(RefreshFinished(ok=True))
        if start_jobs:
            self._start_jobs(result.orders)
        return result

    def _decided(self, result: OrdersRefresh) -> list[Order]:
        if result.first:
            return []  # a first look at the firm's orders: nothing was awaited here
        decided = []
        for order in result.changed:
            before = result.before.get(order.id)
            awaited = order.id in self._watched or (before is not None and not before.status.decided)
            if order.status.decided and awaited and (before is None or not before.status.decided):
                decided.append(order)
        return decided

    def _arrived(self, result: OrdersRefresh) -> list[tuple[Order, int]]:
        """Orders decided before this refresh that received more returned documents since."""
        if result.first:
            return []
        arrived = []
        for order in result.changed:
            before = result.before.get(order.id)
            if (
                before is not None
                and before.status.decided
                and order.deliverable_count > before.deliverable_count
            ):
                arrived.append((order, order.deliverable_count - before.deliverable_count))
        return arrived

    def _went_offline(self, error: ServiceError) -> None:
        log.info("the Service Provider could not be reached: %s", error)
        self._offline = True
        self._offline_failures += 1
        self.events.emit(Offline(error.user_message, self.orders.last_sync))

    async def _pause(self, seconds: float | None) -> None:
        """Wait `seconds` (None: until woken), or less when woken. A wake that came before returns at once."""
        if self._wake.is_set():
            self._wake.clear()
            return
        if seconds is not None and seconds <= 0:
            return
        waits: set[asyncio.Future[object]] = {asyncio.ensure_future(self._wake_wait())}
        if seconds is not None:
            waits.add(asyncio.ensure_future(self._clock.sleep(seconds)))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pending in waits:
                pending.cancel()
            self._wake.clear()

    async def _wake_wait(self) -> object:
        return await self._wake.wait()

    # -- jobs -----------------------------------------------------------------------------------

    def _start_jobs(self, orders: Sequence[Order]) -> None:
        if not self._jobs:
            return
        if self._jobs_task is not None and not self._jobs_task.done():
            self._jobs_again = orders  # one run at a time: go again with the newest orders after it
            return
        self._jobs_task = self._background.spawn(self._jobs_loop(orders), "jobs")

    async def _jobs_loop(self, orders: Sequence[Order]) -> None:
        while True:
            await self._run_jobs(orders)
            again, self._jobs_again = self._jobs_again, None
            if again is None:
                return
            orders = again

    async def _jobs_idle(self) -> None:
        """Wait for a jobs run started by the loop to end (one run of the jobs at a time)."""
        task = self._jobs_task
        if task is not None and not task.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(task)

    async def _run_jobs(self, orders: Sequence[Order]) -> None:
        for job in list(self._jobs):
            try:
                await job.run(orders)
            except ServiceError as error:
                log.info("%s could not finish now: %s", job.name, error)

    # -- Clio -----------------------------------------------------------------------------------

    def _clio_event(self, event: ClioEvent) -> None:
        if isinstance(event, ClioConnectionLost):
            self.events.emit(ClioConnectionEnded())
        connected = self.clio.connected
        if connected and not self._clio_connected and self.polling:
            self.refresh_now()  # what waited for Clio (returns, fees) goes now
        self._clio_connected = connected
