"""Every setting the app has, declared once: key, type, default, help and what values are allowed.

Modelled on electrum's `ConfigVar` and picard's `options.py`: a module-level `Setting` object per
setting is the single source of truth, and `Config` reads and writes them with their types. Values
live in a JSON file (`settings.json` in the config dir); a bad value in the file falls back to the
default and is reported in `Config.problems`, never raised. Secrets are refused by construction:
declaring a setting whose key mentions a password, token or secret fails at import time.

Qt-free on purpose (no QSettings): services and tests use it without a QApplication.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar, cast

from app.settings_storage import JsonSettingsFile, MemorySettings, SettingsBackend
from app.settings_types import (
    FORBIDDEN_KEY_WORDS,
    InvalidSettingValue,
    Setting,
    bool_setting,
    bytes_setting,
    check_category_name,
    check_date,
    check_email,
    check_pattern,
    check_service_url,
    int_setting,
    str_setting,
)

__all__ = ["SETTINGS", "Config", "InvalidSettingValue", "Setting", "render_pattern"]

T = TypeVar("T")
logger = logging.getLogger(__name__)

#: Every declared setting by key, in declaration order.
SETTINGS: dict[str, Setting[Any]] = {}


def declare(setting: Setting[T]) -> Setting[T]:
    """Register a setting; refuses duplicate keys and keys that name a secret."""
    lowered = setting.key.lower()
    for word in FORBIDDEN_KEY_WORDS:
        if word in lowered:
            raise ValueError(f"setting {setting.key!r}: secrets belong in the keyring, not in settings")
    if setting.key in SETTINGS:
        raise ValueError(f"setting {setting.key!r} is declared twice")
    SETTINGS[setting.key] = setting
    return setting


#: Fields a returned-document name pattern may use.
DOCUMENT_NAME_FIELDS = frozenset(
    {"received_date", "kind", "name", "document", "order_number", "court", "case_number", "provider"}
)
#: Fields the Clio folder patterns may use.
FOLDER_FIELDS = frozenset({"provider"})
ORDER_FOLDER_FIELDS = frozenset({"order_number", "provider"})

PROVIDER_URL = declare(
    str_setting(
        "provider.url",
        "",
        "Base URL of your Service Provider's LegalConnect API (empty until set at first sign-in).",
        check=check_service_url,
    )
)
POLL_INTERVAL = declare(
    int_setting(
        "poll.interval_seconds",
        60,
        "How often, in seconds, to check for court decisions and returned documents.",
        minimum=15,
        maximum=3600,
    )
)
NOTIFY_DECISIONS = declare(
    bool_setting("notify.tray_on_decision", True, "Show a tray notification when the court decides an order.")
)
NOTIFY_SOUND = declare(bool_setting("notify.sound", False, "Play a sound with notifications."))
NOTIFY_LATE_DOCUMENTS = declare(
    bool_setting(
        "notify.late_documents",
        True,
        "Notify when a closed order receives a late document, such as a signed order.",
    )
)
CLIO_REGION = declare(
    str_setting(
        "clio.region",
        "US",
        "Clio Manage region your firm's account lives in.",
        choices=("US", "CA", "EU", "AU"),
    )
)
CLIO_CONNECTION_MODE = declare(
    str_setting(
        "clio.connection_mode",
        "broker",
        "How to connect to Clio: through the Service Provider's token broker, or with the firm's own "
        "Clio app keys (direct; the app secret is kept in the system keyring, never here).",
        choices=("broker", "direct"),
    )
)
CLIO_DIRECT_CLIENT_ID = declare(
    str_setting("clio.direct_client_id", "", "Client id of the firm's own Clio app (direct mode only).")
)
CLIO_REDIRECT_URI = declare(
    str_setting(
        "clio.redirect_uri_override",
        "",
        "Redirect URI registered with Clio, when it differs from the provider's default.",
        check=check_service_url,
    )
)
CLIO_LAST_LOCATION = declare(
    str_setting(
        "clio.last_location",
        "",
        "Where the Clio file-selection window was last left open (reopens there).",
    )
)
RETURNED_DOCUMENT_NAME = declare(
    str_setting(
        "returns.document_name_pattern",
        "{received_date} {name}",
        "Name given in Clio to each returned document. Fields: {received_date} (2026-11-27), {kind} "
        "(Conformed copy, Receipt, Notice, Signed order), {name} (as the court named it), {document} "
        "(the filed document it belongs to), {order_number}, {court}, {case_number}, {provider}.",
        check=check_pattern(DOCUMENT_NAME_FIELDS),
    )
)
RETURNS_FOLDER = declare(
    str_setting(
        "returns.folder_pattern",
        "Returned from {provider}",
        "Clio folder, inside the matter, that holds returned documents. Field: provider",
        check=check_pattern(FOLDER_FIELDS),
    )
)
RETURNS_ORDER_FOLDER = declare(
    str_setting(
        "returns.order_folder_pattern",
        "Order-{order_number}",
        "Sub-folder per order inside the returns folder. Fields: order_number, provider",
        check=check_pattern(ORDER_FOLDER_FIELDS),
    )
)
FEES_POSTING = declare(
    str_setting(
        "fees.posting",
        "off",
        "Post each decided order's fees into its Clio matter as expense entries: off; review (each "
        "order's fees wait until someone approves them on the Activities page); or automatic.",
        choices=("off", "review", "automatic"),
    )
)
FEES_POSTING_SINCE = declare(
    str_setting(
        "fees.posting_since",
        "",
        "Post the fees of orders decided on or after this date (YYYY-MM-DD); empty: from the day "
        "posting first runs (earlier orders' fees may already be in Clio, entered by hand).",
        check=check_date,
    )
)
FEES_ENTRY_TYPE = declare(
    str_setting(
        "fees.entry_type",
        "ExpenseEntry",
        "What a fee is recorded as in Clio: ExpenseEntry, or HardCostEntry / SoftCostEntry for firms "
        "that use hard and soft costs.",
        choices=("ExpenseEntry", "HardCostEntry", "SoftCostEntry"),
    )
)
FEES_BILLABLE = declare(
    bool_setting(
        "fees.billable",
        True,
        "Fees are billed on to the client. Off: they are recorded in Clio as no charge (they show on "
        "the bill at no charge to the client).",
    )
)
FEE_KINDS: tuple[tuple[str, str, str], ...] = (
    ("court_filing_fee", "Court filing fees", "Court Filing Fee"),
    ("efm_envelope_fee", "EFM envelope fee", "eFiling Service Fee"),
    ("card_convenience_fee", "Card convenience fee", "Card Convenience Fee"),
    ("provider_service_fee", "Provider service fee", "eFiling Service Fee"),
    ("expert_review", "Expert Review add-on", "Document Review"),
)
"""The kinds of fee an order can carry (the fee line's `code`), what they are called, and the
expense category they go under unless the firm or the Service Provider says otherwise."""
FEES_CATEGORY = {
    code: declare(
        str_setting(
            f"fees.category.{code}",
            "",
            f"Clio expense category for {label.lower()}; empty: the category the Service Provider "
            "suggests for it.",
            check=check_category_name,
        )
    )
    for code, label, _suggested in FEE_KINDS
}
"""The expense category each kind of fee is recorded under in Clio, by name."""
CLIO_CASE_NUMBER_FIELD = declare(
    int_setting(
        "clio.matter_field.case_number",
        0,
        "The Clio matter custom field that holds the court's case number (its Clio id; 0: none "
        "chosen). Orders started from a matter take their case number from it.",
        minimum=0,
        maximum=2**62,
    )
)
CLIO_COURT_FIELD = declare(
    int_setting(
        "clio.matter_field.court",
        0,
        "The Clio matter custom field that names the court (its Clio id; 0: none chosen).",
        minimum=0,
        maximum=2**62,
    )
)
HEARINGS_TO_CALENDAR = declare(
    bool_setting(
        "hearings.to_calendar",
        True,
        "Put the hearing dates the court sets on an order's return into Clio's calendar, on the "
        "order's matter (a moved hearing moves the entry).",
    )
)
HEARINGS_CALENDAR = declare(
    int_setting(
        "hearings.calendar_id",
        0,
        "The Clio calendar hearing dates go on (its id); 0: the calendar of whoever connected Clio.",
        minimum=0,
        maximum=2**63 - 1,
    )
)
HEARINGS_CALENDAR_NAME = declare(
    str_setting(
        "hearings.calendar_name",
        "",
        "The name of the chosen calendar, to show it while Clio is not connected.",
    )
)
START_AT_LOGIN = declare(
    bool_setting(
        "startup.at_login",
        True,
        "Start LegalConnect Desktop minimised to the tray when you log in to this computer, so court "
        "returns keep being filed (an installed copy sets this up after the first sign-in).",
    )
)
START_AT_LOGIN_APPLIED = declare(
    bool_setting(
        "startup.at_login_applied",
        False,
        "Whether the login entry was set up after the first sign-in (it is not set up again).",
    )
)
CLOSE_TO_TRAY = declare(
    bool_setting("window.close_to_tray", True, "Closing the window keeps the app running in the tray.")
)
WINDOW_GEOMETRY = declare(bytes_setting("window.geometry", "Main window size and position."))
REMEMBERED_EMAIL = declare(
    str_setting(
        "signin.remembered_email",
        "",
        "Email address to fill in at sign-in (the password itself is only ever in the keyring).",
        check=check_email,
    )
)
LOG_LEVEL = declare(
    str_setting(
        "log.level",
        "INFO",
        "How much detail goes into the log file.",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
    )
)
LIBREOFFICE_PATH = declare(
    str_setting(
        "convert.libreoffice_path",
        "",
        "Full path of LibreOffice's soffice program, when it is not found automatically.",
    )
)
OCR_AUTOMATIC = declare(
    bool_setting(
        "ocr.automatic",
        False,
        "Make scanned PDFs searchable automatically: documents without a text layer go through OCR "
        "(Tesseract) before they are uploaded. Off: use Make Searchable on the document's row.",
    )
)
TESSERACT_PATH = declare(
    str_setting(
        "ocr.tesseract_path",
        "",
        "Full path of the Tesseract OCR program, when it is not found automatically.",
    )
)


def render_pattern(pattern: str, fields: Mapping[str, object]) -> str:
    """Fill a validated naming pattern, e.g. `render_pattern("Order-{order_number}", {...})`."""
    return pattern.format_map(dict(fields))


class Config:
    """Typed access to the declared settings over a backend (a JSON file or memory).

    `problems` lists what was wrong with the stored values (each fell back to its default).
    """

    def __init__(self, backend: SettingsBackend) -> None:
        self._backend = backend
        self._raw: dict[str, object] = {}
        self._values: dict[str, object] = {}
        self.problems: list[str] = []
        self._load()

    @classmethod
    def open(cls, path: Path) -> Config:
        """Settings stored in the JSON file at `path` (created at the first change)."""
        return Config(JsonSettingsFile(path))

    @classmethod
    def in_memory(cls, initial: Mapping[str, object] | None = None) -> Config:
        """Settings kept in memory, optionally starting from a raw JSON-like object."""
        return Config(MemorySettings(initial))

    def _report(self, problem: str) -> None:
        self.problems.append(problem)
        logger.warning("settings: %s", problem)

    def _load(self) -> None:
        try:
            raw = self._backend.load()
        except (ValueError, OSError) as error:
            where = ""
            if isinstance(self._backend, JsonSettingsFile) and isinstance(error, ValueError):
                aside = self._backend.set_aside()
                where = f"; kept as {aside.name}" if aside else ""
            self._report(f"the settings file could not be read ({error}){where}; using defaults")
            raw = {}
        for key, value in raw.items():
            setting = SETTINGS.get(key)
            if setting is None:
                # Written by another version of the app: keep it untouched.
                self._raw[key] = value
                continue
            try:
                self._values[key] = setting.parse(value)
            except InvalidSettingValue as error:
                self._report(f"{error}; using the default")
            else:
                self._raw[key] = value

    def get(self, setting: Setting[T]) -> T:
        """The setting's stored value, or its default."""
        if setting.key in self._values:
            return cast(T, self._values[setting.key])
        return setting.default

    def set(self, setting: Setting[T], value: T) -> None:
        """Validate and store a value; raises InvalidSettingValue (nothing is changed then)."""
        if SETTINGS.get(setting.key) is not setting:
            raise KeyError(f"setting {setting.key!r} is not declared")
        raw = setting.to_json(value)
        self._values[setting.key] = setting.parse(raw)
        self._raw[setting.key] = raw
        self._save()

    def reset(self, setting: Setting[T]) -> None:
        """Forget a stored value so the default applies again."""
        self._values.pop(setting.key, None)
        if self._raw.pop(setting.key, None) is not None:
            self._save()

    def _save(self) -> None:
        try:
            self._backend.save(self._raw)
        except OSError as error:
            # The value stays in effect for this session; the user learns it was not kept.
            self.problems.append(f"settings could not be saved ({error})")
            logger.error("settings could not be saved: %s", error)

    def snapshot(self) -> dict[str, str]:
        """Every declared setting's current value as display text (for diagnostics)."""
        shown: dict[str, str] = {}
        for key, setting in SETTINGS.items():
            value = self.get(setting)
            shown[key] = f"<{len(value)} bytes>" if isinstance(value, bytes) else repr(value)
        return shown
