"""Which fields each emulated resource offers, named after the official schemas (`*_base` + relations).

Only fields the official schema defines are listed; nested shapes are the `*_base` schemas, which have
no relations, so a second nesting level can never be asked for.
"""

from __future__ import annotations

from sandbox.clio.fields import Shape
from sandbox.clio.shapes_matters import MATTER_EXTRA_SHAPES

_STAMPS = ("created_at", "updated_at")

USER_SCALARS = (
    "id",
    "etag",
    "name",
    "first_name",
    "last_name",
    "initials",
    "email",
    "enabled",
    "account_owner",
    "roles",
    "subscription_type",
    "time_zone",
    "default_calendar_id",
    "rate",
    "phone_number",
    "clio_connect",
    "court_rules_default_attendee",
    *_STAMPS,
)
CONTACT_SCALARS = (
    "id",
    "etag",
    "name",
    "first_name",
    "middle_name",
    "last_name",
    "type",
    "prefix",
    "title",
    "initials",
    "primary_email_address",
    "primary_phone_number",
    "is_client",
    *_STAMPS,
)
MATTER_SCALARS = (
    "id",
    "etag",
    "number",
    "display_number",
    "custom_number",
    "description",
    "status",
    "location",
    "client_reference",
    "client_id",
    "billable",
    "billing_method",
    "open_date",
    "close_date",
    "pending_date",
    *_STAMPS,
)
FOLDER_SCALARS = ("id", "etag", *_STAMPS, "deleted_at", "type", "locked", "name", "root")
ITEM_SCALARS = ("id", "etag", *_STAMPS, "deleted_at", "type", "locked", "name")
DOCUMENT_SCALARS = (
    "id",
    "etag",
    *_STAMPS,
    "deleted_at",
    "type",
    "locked",
    "name",
    "received_at",
    "filename",
    "size",
    "content_type",
)
VERSION_SCALARS = (
    "id",
    "document_id",
    "etag",
    "uuid",
    *_STAMPS,
    "filename",
    "size",
    "version_number",
    "content_type",
    "received_at",
    "put_url",
    "fully_uploaded",
)
ACTIVITY_SCALARS = (
    "id",
    "etag",
    "type",
    "date",
    "quantity",
    "rounded_quantity",
    "quantity_redacted",
    "price",
    "note",
    "flat_rate",
    "billed",
    "on_bill",
    "total",
    "contingency_fee",
    *_STAMPS,
    "reference",
    "non_billable",
    "non_billable_total",
    "no_charge",
    "tax_setting",
)
CATEGORY_SCALARS = (
    "id",
    "etag",
    "name",
    "rate",
    "entry_type",
    *_STAMPS,
    "xero_expense_code",
    "accessible_to_user",
    "tax_setting",
)

_ITEM_RELATIONS = {
    "parent": "LinkedFolder_base",
    "matter": "Matter_base",
    "contact": "Contact_base",
    "external_properties": "ExternalProperty_base",
}

SHAPES: dict[str, Shape] = {
    s.name: s
    for s in (
        Shape("User", USER_SCALARS, {"account": "Account_base"}),
        Shape("User_base", USER_SCALARS),
        Shape("Account_base", ("id", "etag", "name", "state", *_STAMPS)),
        Shape("Contact", CONTACT_SCALARS, {"folder": "Folder_base"}),
        Shape("Contact_base", CONTACT_SCALARS),
        Shape(
            "Matter",
            MATTER_SCALARS,
            {
                "client": "Contact_base",
                "folder": "Folder_base",
                "practice_area": "PracticeArea_base",
                "responsible_attorney": "User_base",
                "custom_field_values": "CustomFieldValue",
                "relationships": "Relationship_base",
            },
            frozenset({"custom_field_values", "relationships"}),
        ),
        Shape("Matter_base", MATTER_SCALARS),
        *MATTER_EXTRA_SHAPES,
        Shape("PracticeArea_base", ("id", "etag", *_STAMPS, "name", "category", "code")),
        Shape("Folder", FOLDER_SCALARS, _ITEM_RELATIONS, frozenset({"external_properties"})),
        Shape("Folder_base", FOLDER_SCALARS),
        Shape("LinkedFolder_base", FOLDER_SCALARS),
        Shape(
            "Item",
            ITEM_SCALARS,
            {**_ITEM_RELATIONS, "latest_document_version": "DocumentVersion_base"},
            frozenset({"external_properties"}),
        ),
        Shape(
            "Document",
            DOCUMENT_SCALARS,
            {**_ITEM_RELATIONS, "latest_document_version": "DocumentVersion"},
            frozenset({"external_properties"}),
        ),
        # put_headers is a list of {name, value} inside DocumentVersion; it is requested inside braces
        # (`latest_document_version{put_headers}`), so it is declared as a plain value here.
        Shape("DocumentVersion", (*VERSION_SCALARS, "put_headers")),
        Shape("DocumentVersion_base", VERSION_SCALARS),
        Shape("ExternalProperty_base", ("id", "etag", "name", "value", *_STAMPS)),
        Shape(
            "Activity",
            ACTIVITY_SCALARS,
            {
                "bill": "Bill_base",
                "matter": "Matter_base",
                "expense_category": "ExpenseCategory_base",
                "user": "User_base",
            },
        ),
        Shape("Bill_base", ("id", "etag", "number", "issued_at", *_STAMPS, "state")),
        Shape("ExpenseCategory", CATEGORY_SCALARS),
        Shape("ExpenseCategory_base", CATEGORY_SCALARS),
    )
}

# The calendar (hearing dates): calendars and calendar entries, served by `routes_calendar`.
CALENDAR_SCALARS = (
    "id",
    "etag",
    "color",
    "light_color",
    "court_rules_default_calendar",
    "name",
    "permission",
    "type",
    "visible",
    *_STAMPS,
    "source",
)
CALENDAR_ENTRY_SCALARS = (
    "id",
    "etag",
    "summary",
    "description",
    "location",
    "start_at",
    "start_date",
    "start_time",
    "end_at",
    "end_date",
    "end_time",
    "all_day",
    "recurrence_rule",
    "parent_calendar_entry_id",
    "court_rule",
    *_STAMPS,
    "permission",
    "calendar_owner_id",
    "start_at_time_zone",
    "time_entries_count",
)
SHAPES.update(
    {
        s.name: s
        for s in (
            Shape("Calendar", CALENDAR_SCALARS),
            Shape("Calendar_base", CALENDAR_SCALARS),
            Shape(
                "CalendarEntry",
                CALENDAR_ENTRY_SCALARS,
                {
                    "matter": "Matter_base",
                    "calendar_owner": "Calendar_base",
                    "calendars": "Calendar_base",
                    "external_properties": "ExternalProperty_base",
                },
                frozenset({"calendars", "external_properties"}),
            ),
        )
    }
)
