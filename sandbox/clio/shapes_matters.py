"""The shapes of matters' custom fields, custom field values and related contacts (official names)."""

from __future__ import annotations

from sandbox.clio.fields import Shape

_STAMPS = ("created_at", "updated_at")
CUSTOM_FIELD_SCALARS = (
    "id",
    "etag",
    *_STAMPS,
    "name",
    "parent_type",
    "field_type",
    "displayed",
    "deleted",
    "required",
    "display_order",
)
# `custom_field` is a nested object inside CustomFieldValue; it is named inside the braces of
# `custom_field_values{...}` (giving its default fields), so it is declared as a plain value here.
VALUE_SCALARS = (
    "id",
    "etag",
    "field_name",
    *_STAMPS,
    "field_type",
    "field_required",
    "field_displayed",
    "field_display_order",
    "value",
    "soft_deleted",
    "custom_field",
)
RELATIONSHIP_SCALARS = ("id", "etag", "description", *_STAMPS)
RELATED_CONTACT_SCALARS = (
    "id",
    "contact_id",
    "name",
    "first_name",
    "middle_name",
    "last_name",
    "type",
    *_STAMPS,
    "prefix",
    "title",
    "initials",
    "is_matter_client",
    "primary_email_address",
    "primary_phone_number",
    "client_connect_user_id",
)

MATTER_EXTRA_SHAPES = (
    Shape("CustomField", CUSTOM_FIELD_SCALARS),
    Shape("CustomFieldValue", VALUE_SCALARS),
    Shape("Relationship_base", RELATIONSHIP_SCALARS),
    Shape("Relationship", RELATIONSHIP_SCALARS, {"matter": "Matter_base", "contact": "Contact_base"}),
    Shape("RelatedContacts", RELATED_CONTACT_SCALARS, {"relationship": "Relationship_base"}),
)
