"""The Clio Manage API v4 client: typed calls with explicit `fields`, paged listings, transfers.

Each call names the fields it needs in a module constant, so answers stay small and every record
parser knows exactly what it gets. Plumbing (auth, rate budget, errors, retries, pages) is in
`base.py`; file transfers are in `transfer.py`; the calendar in `calendar.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, BinaryIO

from app.services.clio import transfer
from app.services.clio.base import API_VERSION, PAGE_SIZE, ForeignPageUrl, Page, PageCursor
from app.services.clio.calendar import CalendarCalls
from app.services.clio.matter_details import MatterDetailCalls
from app.services.clio.ratelimit import Priority, RateLimiter
from app.services.clio.records import (
    Activity,
    ClioUser,
    Contact,
    Document,
    ExpenseCategory,
    Folder,
    Item,
    Matter,
    SearchHit,
    external_properties_json,
)
from app.services.clio.tokens import ClioConnectionEnded, TokenSource
from app.services.clio.transfer import DOCUMENT_FIELDS, UploadTarget, UploadUrlExpired
from app.services.filesave import Progress

__all__ = [
    "API_VERSION",
    "PAGE_SIZE",
    "ClioClient",
    "ClioConnectionEnded",
    "ForeignPageUrl",
    "Page",
    "PageCursor",
    "Progress",
    "RateLimiter",
    "TokenSource",
    "UploadTarget",
    "UploadUrlExpired",
]

USER_FIELDS = "id,name,email,account{id,name}"
CONTACT_FIELDS = "id,name,type,is_client"
MATTER_FIELDS = "id,display_number,description,status,client{id,name},folder{id,name}"
FOLDER_FIELDS = "id,name,root,parent{id}"
KEYED_FOLDER_FIELDS = "id,name,root,parent{id},external_properties{name,value}"
ITEM_FIELDS = "id,type,name,updated_at,parent{id},latest_document_version{size,content_type}"
ACTIVITY_FIELDS = (
    "id,etag,type,date,quantity,price,total,note,billed,"
    "matter{id,display_number},expense_category{id,name},bill{id,state,number}"
)
CATEGORY_FIELDS = "id,name,rate,entry_type"
SEARCH_FIELDS = (
    "id,name,updated_at,parent{id,name},matter{id,display_number},latest_document_version{size,content_type}"
)


BROWSABLE_STATUSES = ("open", "pending")
"""Matter statuses the file-selection window lists, in this order (closed matters are left out)."""


def _resume(cursor: PageCursor | None, path: str) -> str:
    """Where a listing continues: the cursor's `next` URL, else the listing's first page."""
    return cursor.url if cursor is not None and cursor.url else path


class ClioClient(MatterDetailCalls, CalendarCalls):
    """Talks to one Clio region's API (`api_url` ends in `/api/v4`) for one connection."""

    # -- people and matters ---------------------------------------------------------------------

    async def who_am_i(self) -> ClioUser:
        """The signed-in user and the firm's name."""
        return await self.data(
            "GET", "users/who_am_i.json", ClioUser.from_json, params={"fields": USER_FIELDS}
        )

    async def clients(
        self, query: str = "", priority: Priority = "interactive"
    ) -> AsyncIterator[list[Contact]]:
        """Client contacts, a page at a time (optionally matching `query`)."""
        params: dict[str, Any] = {"client_only": "true", **({"query": query} if query else {})}
        async for records in self.pages("contacts.json", params, CONTACT_FIELDS, priority):
            yield self.parse(lambda raw: [Contact.from_json(r) for r in raw], {"data": records})

    async def matters(
        self,
        client_id: int | None = None,
        query: str = "",
        status: str = "open,pending",
        priority: Priority = "interactive",
    ) -> AsyncIterator[list[Matter]]:
        """Matters of a client and/or matching `query`, a page at a time.

        `status` is a comma list; the API's filter takes one status per request, so several are
        listed one after the other (open first)."""
        statuses = [s.strip() for s in status.split(",") if s.strip()] or [""]
        for one in statuses:
            params: dict[str, Any] = {}
            if client_id is not None:
                params["client_id"] = client_id
            if query:
                params["query"] = query
            if one:
                params["status"] = one
            async for records in self.pages("matters.json", params, MATTER_FIELDS, priority):
                yield self.parse(lambda raw: [Matter.from_json(r) for r in raw], {"data": records})

    async def matter(self, matter_id: int, priority: Priority = "interactive") -> Matter:
        """One matter with its client, status and document folder."""
        return await self.data(
            "GET",
            f"matters/{matter_id}.json",
            Matter.from_json,
            params={"fields": MATTER_FIELDS},
            priority=priority,
        )

    # -- folders and documents ------------------------------------------------------------------

    # -- browsing, a page at a time (the file-selection window asks for one page per fetchMore) ----

    async def client_page(self, cursor: PageCursor | None = None) -> Page[Contact]:
        """One page of the firm's clients."""
        records, following = await self.page(
            _resume(cursor, "contacts.json"), {"client_only": "true"}, CONTACT_FIELDS
        )
        clients = self.parse(lambda raw: [Contact.from_json(r) for r in raw], {"data": records})
        return Page(clients, None if following is None else PageCursor(following))

    async def matter_page(
        self, client_id: int, cursor: PageCursor | None = None, statuses: tuple[str, ...] = BROWSABLE_STATUSES
    ) -> Page[Matter]:
        """One page of a client's matters: the open ones, then the pending ones.

        Clio's `status` filter takes one value, so each status is its own pass; the last page of a
        pass also carries the first page of the next, so no page comes back empty."""
        stage = cursor.stage if cursor is not None else 0
        url = cursor.url if cursor is not None else None
        raw: list[dict[str, Any]] = []
        next_cursor: PageCursor | None = None
        while stage < len(statuses):
            params = {"client_id": client_id, "status": statuses[stage]}
            records, following = await self.page(url or "matters.json", params, MATTER_FIELDS)
            raw += records
            if following is not None:
                next_cursor = PageCursor(following, stage)
                break
            stage, url = stage + 1, None
        matters = self.parse(lambda items: [Matter.from_json(r) for r in items], {"data": raw})
        return Page(matters, next_cursor)

    async def folder_page(
        self, folder_id: int, cursor: PageCursor | None = None, query: str = ""
    ) -> Page[Item]:
        """One page of a folder's contents (sub-folders and documents together)."""
        params: dict[str, Any] = {"parent_id": folder_id, **({"query": query} if query else {})}
        records, following = await self.page(_resume(cursor, "folders/list.json"), params, ITEM_FIELDS)
        items = self.parse(lambda raw: [Item.from_json(r) for r in raw], {"data": records})
        return Page(items, None if following is None else PageCursor(following))

    async def search_page(
        self, query: str, matter_id: int | None = None, cursor: PageCursor | None = None
    ) -> Page[SearchHit]:
        """One page of documents matching `query` (Clio's wildcard search), in one matter or the
        whole account, each with the folder and matter it sits in."""
        params: dict[str, Any] = {"query": query}
        if matter_id is not None:
            params["matter_id"] = matter_id
        records, following = await self.page(_resume(cursor, "documents.json"), params, SEARCH_FIELDS)
        hits = self.parse(lambda raw: [SearchHit.from_json(r) for r in raw], {"data": records})
        return Page(hits, None if following is None else PageCursor(following))

    async def folder_items(
        self, folder_id: int, query: str = "", priority: Priority = "interactive"
    ) -> AsyncIterator[list[Item]]:
        """A folder's documents and sub-folders, a page at a time."""
        params: dict[str, Any] = {"parent_id": folder_id, **({"query": query} if query else {})}
        async for records in self.pages("folders/list.json", params, ITEM_FIELDS, priority):
            yield self.parse(lambda raw: [Item.from_json(r) for r in raw], {"data": records})

    async def create_folder(
        self,
        name: str,
        parent_id: int,
        parent_type: str = "Folder",
        *,
        external_properties: dict[str, str] | None = None,
        priority: Priority = "interactive",
    ) -> Folder:
        """A new folder under a Folder, or in a Matter's or Contact's folder (by their id). Never
        retried: a repeat could make a second folder (look it up first)."""
        data: dict[str, Any] = {"name": name, "parent": {"id": parent_id, "type": parent_type}}
        if external_properties:
            data["external_properties"] = external_properties_json(external_properties)
        return await self.data(
            "POST",
            "folders.json",
            Folder.from_json,
            params={"fields": KEYED_FOLDER_FIELDS},
            json={"data": data},
            priority=priority,
        )

    async def find_folders_by_key(
        self, name: str, value: str, priority: Priority = "interactive"
    ) -> list[Folder]:
        """Folders carrying external property `name` = `value` (compared exactly), trashed ones left out."""
        params = {"external_property_name": name, "external_property_value": value}
        found = await self._all("folders.json", params, KEYED_FOLDER_FIELDS, Folder.from_json, priority)
        return [f for f in found if f.external_properties.get(name) == value]

    async def find_folder(
        self, name: str, parent_id: int, priority: Priority = "interactive"
    ) -> Folder | None:
        """The sub-folder of `parent_id` named exactly `name` (Clio's `query` is a wildcard)."""
        params = {"parent_id": parent_id, "query": name}
        async for records in self.pages("folders.json", params, FOLDER_FIELDS, priority):
            for folder in self.parse(lambda raw: [Folder.from_json(r) for r in raw], {"data": records}):
                if folder.name == name:
                    return folder
        return None

    async def documents(
        self,
        parent_id: int | None = None,
        *,
        matter_id: int | None = None,
        query: str = "",
        external_property: tuple[str, str] | None = None,
        priority: Priority = "interactive",
    ) -> AsyncIterator[list[Document]]:
        """Documents of a folder (direct children) or of a matter, a page at a time."""
        params: dict[str, Any] = {}
        if parent_id is not None:
            params["parent_id"] = parent_id
        if matter_id is not None:
            params["matter_id"] = matter_id
        if query:
            params["query"] = query
        if external_property is not None:
            params["external_property_name"], params["external_property_value"] = external_property
        async for records in self.pages("documents.json", params, DOCUMENT_FIELDS, priority):
            yield self.parse(lambda raw: [Document.from_json(r) for r in raw], {"data": records})

    async def document(self, document_id: int) -> Document:
        """One document with its latest version."""
        return await self.data(
            "GET", f"documents/{document_id}.json", Document.from_json, params={"fields": DOCUMENT_FIELDS}
        )

    async def find_documents_by_external_property(
        self, name: str, value: str, parent_id: int | None = None, priority: Priority = "interactive"
    ) -> list[Document]:
        """Documents carrying external property `name` = `value` (e.g. a deliverable's id)."""
        found: list[Document] = []
        async for page in self.documents(parent_id, external_property=(name, value), priority=priority):
            found.extend(d for d in page if d.external_properties.get(name) == value)
        return found

    async def find_documents_by_key(
        self, name: str, value: str, priority: Priority = "interactive"
    ) -> list[Document]:
        """Every document carrying external property `name` = `value` anywhere in the account,
        including unfinished uploads and documents in the trash (compared exactly), lowest id first."""
        params = {
            "external_property_name": name,
            "external_property_value": value,
            "show_uncompleted": "true",
            "include_deleted": "true",
        }
        found = await self._all("documents.json", params, DOCUMENT_FIELDS, Document.from_json, priority)
        return sorted((d for d in found if d.external_properties.get(name) == value), key=lambda d: d.id)

    async def start_upload(
        self,
        name: str,
        parent_id: int,
        parent_type: str = "Folder",
        *,
        content_type: str = "application/pdf",
        external_properties: dict[str, str] | None = None,
        received_at: str | None = None,
        priority: Priority = "interactive",
    ) -> UploadTarget:
        """Step 1 of 3 of an upload the caller journals step by step (see `transfer.start_upload`)."""
        return await transfer.start_upload(
            self,
            name,
            parent_id,
            parent_type,
            content_type=content_type,
            external_properties=external_properties or {},
            priority=priority,
            received_at=received_at,
        )

    async def put_bytes(
        self, target: UploadTarget, source: Path | BinaryIO, progress: Progress | None = None
    ) -> None:
        """Step 2 of 3: the bytes to storage (see `transfer.put_bytes`)."""
        await transfer.put_bytes(self, target, source, progress)

    async def mark_uploaded(
        self, document_id: int, uuid: str, priority: Priority = "interactive"
    ) -> Document:
        """Step 3 of 3: Clio checks storage and shows the document (see `transfer.mark_uploaded`)."""
        return await transfer.mark_uploaded(self, document_id, uuid, priority)

    async def download(self, document_id: int, destination: Path, progress: Progress | None = None) -> Path:
        """Stream the latest version to `destination` (see `transfer.download`)."""
        return await transfer.download(self, document_id, destination, progress)

    async def upload(
        self,
        source: Path | BinaryIO,
        name: str,
        parent_id: int,
        parent_type: str = "Folder",
        *,
        content_type: str = "application/pdf",
        external_properties: dict[str, str] | None = None,
        progress: Progress | None = None,
        priority: Priority = "interactive",
    ) -> Document:
        """Store a file as a new Clio document (see `transfer.upload`)."""
        return await transfer.upload(
            self,
            source,
            name,
            parent_id,
            parent_type,
            content_type=content_type,
            external_properties=external_properties or {},
            progress=progress,
            priority=priority,
        )

    # -- activities -----------------------------------------------------------------------------

    async def activities(
        self,
        matter_id: int | None = None,
        type: str = "ExpenseEntry",
        start_date: dt.date | None = None,
        end_date: dt.date | None = None,
        status: str | None = None,
        query: str | None = None,
        category_id: int | None = None,
        priority: Priority = "interactive",
    ) -> AsyncIterator[list[Activity]]:
        """Activities filtered by matter, type, date range, billing status, expense category and
        note text (Clio's `query` is a wildcard match over `note`), a page at a time."""
        params: dict[str, Any] = {"type": type}
        if query:
            params["query"] = query
        if matter_id is not None:
            params["matter_id"] = matter_id
        if category_id is not None:
            params["expense_category_id"] = category_id
        if start_date is not None:
            params["start_date"] = start_date.isoformat()
        if end_date is not None:
            params["end_date"] = end_date.isoformat()
        if status:
            params["status"] = status
        async for records in self.pages("activities.json", params, ACTIVITY_FIELDS, priority):
            yield self.parse(lambda raw: [Activity.from_json(r) for r in raw], {"data": records})

    async def create_expense(
        self,
        matter_id: int,
        date: dt.date,
        price: float,
        note: str,
        category_id: int | None,
        quantity: float = 1,
        entry_type: str = "ExpenseEntry",
        no_charge: bool = False,
        priority: Priority = "interactive",
    ) -> Activity:
        """Record an expense on a matter (never retried: a repeat would record it twice). Price and
        quantity are always sent: what Clio does with a category's rate otherwise is not documented.
        `no_charge`: on the bill at no charge to the client."""
        data: dict[str, Any] = {
            "type": entry_type,
            "date": date.isoformat(),
            "quantity": quantity,
            "price": price,
            "note": note,
            "matter": {"id": matter_id},
        }
        if category_id is not None:
            data["expense_category"] = {"id": category_id}
        if no_charge:
            data["no_charge"] = True
        return await self.data(
            "POST",
            "activities.json",
            Activity.from_json,
            params={"fields": ACTIVITY_FIELDS},
            json={"data": data},
            priority=priority,
        )

    async def find_expenses_by_marker(
        self,
        matter_id: int,
        marker: str,
        entry_type: str = "ExpenseEntry",
        priority: Priority = "interactive",
    ) -> list[Activity]:
        """The matter's expenses whose note carries `marker` exactly. Activities have no external
        properties, so a marker in the note is their key; `query` only narrows (it is a wildcard)."""
        found: list[Activity] = []
        async for page in self.activities(matter_id, entry_type, query=marker, priority=priority):
            found.extend(a for a in page if marker in a.note)
        return found

    async def activity(self, activity_id: int, priority: Priority = "interactive") -> Activity:
        """One activity as Clio has it now (with its current etag)."""
        return await self.data(
            "GET",
            f"activities/{activity_id}.json",
            Activity.from_json,
            params={"fields": ACTIVITY_FIELDS},
            priority=priority,
        )

    async def update_activity_category(
        self, activity_id: int, category_id: int | None, etag: str | None = None
    ) -> Activity:
        """Change an activity's expense category; with `etag`, a stale copy fails (412 → Conflict)."""
        headers = {"If-Match": etag} if etag else None
        body = {"data": {"expense_category": None if category_id is None else {"id": category_id}}}
        return await self.data(
            "PATCH",
            f"activities/{activity_id}.json",
            Activity.from_json,
            params={"fields": ACTIVITY_FIELDS},
            json=body,
            headers=headers,
        )

    async def create_expense_category(
        self, name: str, entry_type: str = "unassociated", priority: Priority = "interactive"
    ) -> ExpenseCategory:
        """Add an expense category to the firm (never retried: a repeat would be refused as taken)."""
        return await self.data(
            "POST",
            "expense_categories.json",
            ExpenseCategory.from_json,
            params={"fields": CATEGORY_FIELDS},
            json={"data": {"name": name, "entry_type": entry_type}},
            priority=priority,
        )

    async def expense_categories(self, priority: Priority = "interactive") -> list[ExpenseCategory]:
        """Every expense category of the firm."""
        return await self._all(
            "expense_categories.json", {}, CATEGORY_FIELDS, ExpenseCategory.from_json, priority
        )
