"""Settings: declared once, typed, validated, persisted atomically, bad values fall back."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from app import config
from app.config import SETTINGS, Config, InvalidSettingValue, declare, render_pattern
from app.paths import AppPaths
from app.settings_types import bool_setting, str_setting


@pytest.fixture
def settings_file() -> Path:
    return AppPaths.from_environment().settings_file


def test_defaults() -> None:
    cfg = Config.in_memory()
    assert cfg.get(config.PROVIDER_URL) == ""
    assert cfg.get(config.POLL_INTERVAL) == 60
    assert cfg.get(config.CLIO_REGION) == "US"
    assert cfg.get(config.CLIO_CONNECTION_MODE) == "broker"
    assert cfg.get(config.RETURNS_FOLDER) == "Returned from {provider}"
    assert cfg.get(config.RETURNS_ORDER_FOLDER) == "Order-{order_number}"
    assert cfg.get(config.RETURNED_DOCUMENT_NAME) == "{received_date} {name}"
    assert cfg.get(config.WINDOW_GEOMETRY) == b""
    assert cfg.get(config.CLOSE_TO_TRAY) is True
    assert cfg.problems == []


def test_every_declared_default_is_valid_and_documented() -> None:
    assert len(SETTINGS) >= 18
    for key, setting in SETTINGS.items():
        assert setting.help.strip(), key
        assert setting.parse(setting.encode(setting.default)) == setting.default


@pytest.mark.parametrize("key", ["clio.refresh_token", "signin.password", "clio.client_secret", "x.TOKEN"])
def test_a_secret_cannot_be_declared(key: str) -> None:
    with pytest.raises(ValueError, match="keyring"):
        declare(str_setting(key, "", "nope"))
    assert key not in SETTINGS


def test_duplicate_declaration_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        declare(bool_setting("window.close_to_tray", True, "again"))


def test_undeclared_setting_cannot_be_set() -> None:
    with pytest.raises(KeyError):
        Config.in_memory().set(str_setting("not.declared", "", "help"), "x")


def test_set_get_and_persist(settings_file: Path) -> None:
    cfg = Config.open(settings_file)
    cfg.set(config.PROVIDER_URL, "https://efile.example-provider.com/api")
    cfg.set(config.POLL_INTERVAL, 15)
    cfg.set(config.CLIO_REGION, "EU")
    cfg.set(config.WINDOW_GEOMETRY, b"\x01\x02\xff")
    cfg.set(config.REMEMBERED_EMAIL, "pat@firm.example")
    cfg.set(config.CLOSE_TO_TRAY, False)

    raw = json.loads(settings_file.read_text(encoding="utf-8"))
    assert raw["window.geometry"] == "AQL/"
    assert raw["poll.interval_seconds"] == 15

    again = Config.open(settings_file)
    assert again.get(config.PROVIDER_URL) == "https://efile.example-provider.com/api"
    assert again.get(config.POLL_INTERVAL) == 15
    assert again.get(config.CLIO_REGION) == "EU"
    assert again.get(config.WINDOW_GEOMETRY) == b"\x01\x02\xff"
    assert again.get(config.REMEMBERED_EMAIL) == "pat@firm.example"
    assert again.get(config.CLOSE_TO_TRAY) is False
    assert again.problems == []

    again.reset(config.POLL_INTERVAL)
    assert Config.open(settings_file).get(config.POLL_INTERVAL) == 60


def test_write_is_atomic_and_leaves_no_temp_files(settings_file: Path) -> None:
    cfg = Config.open(settings_file)
    for seconds in range(15, 40):
        cfg.set(config.POLL_INTERVAL, seconds)
    assert sorted(p.name for p in settings_file.parent.iterdir()) == ["settings.json"]


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        (config.POLL_INTERVAL, 14),
        (config.POLL_INTERVAL, 10_000),
        (config.POLL_INTERVAL, True),
        (config.POLL_INTERVAL, "60"),
        (config.CLIO_REGION, "UK"),
        (config.CLIO_CONNECTION_MODE, "magic"),
        (config.LOG_LEVEL, "CHATTY"),
        (config.PROVIDER_URL, "ftp://example.com"),
        (config.PROVIDER_URL, "http://provider.example.com"),
        (config.PROVIDER_URL, "https://user:pw@provider.example.com"),
        (config.PROVIDER_URL, "https://provider.example.com/?key=1"),
        (config.CLIO_REDIRECT_URI, "not a url"),
        (config.REMEMBERED_EMAIL, "not-an-email"),
        (config.RETURNS_ORDER_FOLDER, "Order-{order_number.__class__}"),
        (config.RETURNS_ORDER_FOLDER, "Order-{}"),
        (config.RETURNS_FOLDER, "Returned from {court}"),
        (config.RETURNED_DOCUMENT_NAME, "{name"),
        (config.RETURNED_DOCUMENT_NAME, "a/{name}"),
        (config.RETURNED_DOCUMENT_NAME, "   "),
        (config.CLOSE_TO_TRAY, 1),
        (config.WINDOW_GEOMETRY, "AQL/"),
        (config.FEES_POSTING, "sometimes"),
        (config.FEES_POSTING_SINCE, "27/11/2026"),
        (config.FEES_POSTING_SINCE, "2026-02-30"),
        (config.FEES_POSTING_SINCE, "2026-11-27T10:00"),
        (config.FEES_ENTRY_TYPE, "TimeEntry"),
        (config.FEES_BILLABLE, "yes"),
        (config.FEES_CATEGORY["court_filing_fee"], "Court\nFiling Fee"),
        (config.FEES_CATEGORY["expert_review"], "x" * 256),
    ],
)
def test_invalid_values_are_refused_and_change_nothing(
    setting: config.Setting[object], value: object
) -> None:
    cfg = Config.in_memory()
    before = cfg.get(setting)
    with pytest.raises(InvalidSettingValue, match=setting.key.replace(".", r"\.")):
        cfg.set(setting, value)
    assert cfg.get(setting) == before


def test_loopback_http_is_allowed_for_the_sandbox() -> None:
    cfg = Config.in_memory()
    for url in ("http://127.0.0.1:8123", "http://localhost:9000/api", "http://[::1]:8000"):
        cfg.set(config.PROVIDER_URL, url)
        assert cfg.get(config.PROVIDER_URL) == url


def test_bad_values_in_the_file_fall_back_and_are_reported(
    settings_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text(
        json.dumps(
            {
                "poll.interval_seconds": 3,
                "clio.region": "Mars",
                "window.geometry": "!!not base64!!",
                "notify.sound": "yes",
                "log.level": "DEBUG",
                "some.future_setting": [1, 2],
            }
        ),
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="app.config"):
        cfg = Config.open(settings_file)
    assert cfg.get(config.POLL_INTERVAL) == 60
    assert cfg.get(config.CLIO_REGION) == "US"
    assert cfg.get(config.WINDOW_GEOMETRY) == b""
    assert cfg.get(config.NOTIFY_SOUND) is False
    assert cfg.get(config.LOG_LEVEL) == "DEBUG"
    assert len(cfg.problems) == 4
    assert any("poll.interval_seconds" in p for p in cfg.problems)
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 4

    cfg.set(config.NOTIFY_SOUND, True)
    raw = json.loads(settings_file.read_text(encoding="utf-8"))
    assert "clio.region" not in raw  # healed: the bad value is gone from the file
    assert raw["some.future_setting"] == [1, 2]  # another version's setting is kept
    assert raw["log.level"] == "DEBUG"


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2, 3]", b"\xff\xfe\x00garbage", b""])
def test_unreadable_file_means_defaults_and_is_kept_aside(
    settings_file: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="app.config"):
        cfg = Config.open(settings_file)
    assert cfg.get(config.POLL_INTERVAL) == 60
    assert len(cfg.problems) == 1
    assert "could not be read" in cfg.problems[0]
    assert settings_file.with_name("settings.json.bad").read_bytes() == content
    cfg.set(config.POLL_INTERVAL, 30)
    assert Config.open(settings_file).get(config.POLL_INTERVAL) == 30


def test_save_failure_keeps_the_value_for_the_session(
    settings_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings_file.parent.mkdir(parents=True)
    settings_file.mkdir()  # a directory where the file should be: os.replace fails
    cfg = Config.open(settings_file)
    cfg.set(config.POLL_INTERVAL, 20)
    assert cfg.get(config.POLL_INTERVAL) == 20
    assert any("could not be saved" in p for p in cfg.problems)


def test_in_memory_variant_starts_from_raw_values() -> None:
    cfg = Config.in_memory({"clio.region": "AU"})
    assert cfg.get(config.CLIO_REGION) == "AU"


def test_snapshot_has_every_declared_setting_and_hides_bytes() -> None:
    cfg = Config.in_memory()
    cfg.set(config.WINDOW_GEOMETRY, b"x" * 40)
    shown = cfg.snapshot()
    assert set(shown) == set(SETTINGS)
    assert shown["window.geometry"] == "<40 bytes>"


def test_render_pattern() -> None:
    cfg = Config.in_memory()
    assert (
        render_pattern(cfg.get(config.RETURNS_ORDER_FOLDER), {"order_number": "0001234"}) == "Order-0001234"
    )
    assert (
        render_pattern(cfg.get(config.RETURNS_FOLDER), {"provider": "Acme Attorney Services"})
        == "Returned from Acme Attorney Services"
    )


def test_fee_posting_settings_take_a_date_or_nothing() -> None:
    cfg = Config.in_memory()
    assert cfg.get(config.FEES_POSTING) == "off" and cfg.get(config.FEES_POSTING_SINCE) == ""
    cfg.set(config.FEES_POSTING_SINCE, "2026-11-27")
    assert cfg.get(config.FEES_POSTING_SINCE) == "2026-11-27"
    cfg.set(config.FEES_POSTING_SINCE, "")  # from the day posting first runs
    assert cfg.get(config.FEES_POSTING_SINCE) == ""
