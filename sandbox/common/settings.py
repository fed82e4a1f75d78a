"""What each sandbox server is built from. The launcher fills these in once ports are bound."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sandbox.common.faults import Faults


@dataclass
class ServerSettings:
    data_dir: Path
    """This server's own folder: its SQLite database and stored files. Created and seeded if empty."""
    base_url: str
    """The server's public origin, e.g. ``http://127.0.0.1:8123`` (no trailing slash)."""
    faults: Faults = field(default_factory=Faults)
    scale: str = "demo"
    """``demo``: the believable firm. ``bench``: adds 2,000 matters and a folder of 2,000 items."""


@dataclass
class ClioSettings(ServerSettings):
    identity_provider_url: str = ""
    """The origin of the firm's identity provider that `sso_login` sends sign-ins to (empty: none)."""


@dataclass
class LegalConnectSettings(ServerSettings):
    clio_base_url: str = ""
    """Where the token broker forwards to (the Clio emulator's origin in the sandbox)."""
    clio_client_secret: str = ""
    """The secret the broker adds to token requests; never sent to the desktop app."""
