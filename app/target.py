"""Where the app talks to: a real Service Provider's address, or the built-in sandbox world; and
the profile directories for each. Light on purpose: the window opens before the service graph is
composed (`app.compose`), and needs only this to know where it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app import config
from app.config import Config
from app.paths import AppPaths

if TYPE_CHECKING:
    from sandbox.launcher import SandboxWorld


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
