"""The firm-wide record of what went into Clio: claims (leases) and acknowledgements.

Before a workstation writes a returned document (or a fee line) into Clio it claims it on the
Service Provider. A live claim of another workstation answers `AlreadyClaimed`; an item another
workstation already filed answers `AlreadyFiled` with the Clio id. Claiming again with the same
workstation id renews this workstation's own lease (a crash loses nothing). Acknowledging with the
Clio id turns the claim into the filing record. Claims, acknowledgements and releases are safe to
repeat, so they are retried when the network hiccups.

`FilingCalls` is the part of `LegalConnectClient` behind the returns filer and the expense poster.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.services import http
from app.services.legalconnect.records import Claim, ClioLink, Order, OrderFeeLine

if TYPE_CHECKING:
    import httpx

LEASE_SECONDS = 300
"""How long a claim keeps other workstations off an item; renewed by claiming again."""


class AlreadyClaimed(http.Conflict):
    """Another workstation holds a live claim on the item: leave it to that workstation."""


class AlreadyFiled(http.Conflict):
    """The item is already in Clio (filed by any workstation); `clio_id` says where."""

    def __init__(self, service: str, user_message: str, clio_id: int | None) -> None:
        super().__init__(service, user_message, 409, "already_filed")
        self.clio_id = clio_id


class FilingCalls:
    """Claims and filing records (see the module docstring). Mixed into `LegalConnectClient`."""

    service_name: str

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        raise NotImplementedError  # provided by LegalConnectClient

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        raise NotImplementedError  # provided by LegalConnectClient

    def _parse(self, parse: Callable[[Any], Any], raw: Any) -> Any:
        raise NotImplementedError  # provided by LegalConnectClient

    async def _claim(self, path: str, workstation_id: str, lease_seconds: int) -> Claim:
        body = {"workstation_id": workstation_id, "lease_seconds": lease_seconds}
        try:
            raw = await http.retrying(lambda: self._json("POST", path, json=body))
        except http.Conflict as conflict:
            raise self._conflict(conflict) from conflict
        claim: Claim = self._parse(Claim.from_json, raw)
        return claim

    def _conflict(self, conflict: http.Conflict) -> http.Conflict:
        if conflict.code == "already_filed":
            clio_id = conflict.details.get("clio_id")
            return AlreadyFiled(
                self.service_name, conflict.user_message, clio_id if isinstance(clio_id, int) else None
            )
        if conflict.code == "already_claimed":
            claimed = AlreadyClaimed(self.service_name, conflict.user_message, 409, conflict.code)
            claimed.details = conflict.details
            return claimed
        return conflict

    async def claim_deliverable(
        self, order_id: int, deliverable_id: int, workstation_id: str, lease_seconds: int = LEASE_SECONDS
    ) -> Claim:
        """Lease a returned document to this workstation for filing into Clio.

        Raises `AlreadyFiled` (with the Clio id) or `AlreadyClaimed` (another workstation's lease)."""
        path = f"orders/{order_id}/deliverables/{deliverable_id}/clio-claim"
        return await self._claim(path, workstation_id, lease_seconds)

    async def claim_fee_line(
        self, order_id: int, fee_line_id: int, workstation_id: str, lease_seconds: int = LEASE_SECONDS
    ) -> Claim:
        """Lease a fee line to this workstation for posting as a Clio expense (same answers)."""
        path = f"orders/{order_id}/fee-lines/{fee_line_id}/clio-claim"
        return await self._claim(path, workstation_id, lease_seconds)

    async def acknowledge(self, claim_id: str, clio_id: int) -> Claim:
        """Record that the claimed item is now Clio's `clio_id` (repeating it is harmless)."""
        try:
            raw = await http.retrying(
                lambda: self._json("POST", f"clio-claims/{claim_id}/acknowledge", json={"clio_id": clio_id})
            )
        except http.Conflict as conflict:
            raise self._conflict(conflict) from conflict
        claim: Claim = self._parse(Claim.from_json, raw)
        return claim

    async def release(self, claim_id: str) -> None:
        """Give a claim up without filing (another workstation may then file the item)."""
        try:
            await http.retrying(lambda: self._send("DELETE", f"clio-claims/{claim_id}"))
        except http.NotFound:
            return  # released already, or expired and taken over: either way not ours any more

    async def fee_lines(self, order_id: int) -> list[OrderFeeLine]:
        """A decided order's itemised fees and each one's Clio expense record (none before the decision)."""
        raw = await http.retrying(lambda: self._json("GET", f"orders/{order_id}/fee-lines"))
        lines: list[OrderFeeLine] = self._parse(lambda body: OrderFeeLine.list_from_json(order_id, body), raw)
        return lines

    async def set_clio_matter(self, order_id: int, link: ClioLink) -> Order:
        """Choose the Clio matter an order's returned documents and fees go to (any order status)."""
        body = {
            "clio": {
                "client_id": link.client_id,
                "matter_id": link.matter_id,
                "matter_display_number": link.matter_display_number,
            }
        }
        raw = await http.retrying(lambda: self._json("PATCH", f"orders/{order_id}", json=body))
        order: Order = self._parse(Order.from_json, raw)
        return order
