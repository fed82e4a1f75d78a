"""Where the sandbox servers listen and how to sign in to them (what `endpoints.json` holds).

Kept free of the servers' imports so that an app pointed at an already running sandbox starts as
light as it does against a real provider.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Login:
    name: str
    email: str
    password: str


@dataclass(frozen=True)
class ClioEndpoint:
    base_url: str
    api_url: str
    client_id: str
    redirect_uri: str
    api_version: str
    demo_user: Login
    identity_provider_url: str = ""
    """The firm's identity provider that sign-ins go through when Clio's `sso_login` knob is on."""


@dataclass(frozen=True)
class LegalConnectEndpoint:
    base_url: str
    api_url: str
    openapi_url: str
    provider_name: str
    demo_user: Login


@dataclass(frozen=True)
class Endpoints:
    clio: ClioEndpoint
    legalconnect: LegalConnectEndpoint

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> Endpoints:
        raw = json.loads(text)
        clio = dict(raw["clio"], demo_user=Login(**raw["clio"]["demo_user"]))
        lc = dict(raw["legalconnect"], demo_user=Login(**raw["legalconnect"]["demo_user"]))
        return cls(ClioEndpoint(**clio), LegalConnectEndpoint(**lc))


def for_servers(clio_url: str, lc_url: str, identity_provider_url: str = "") -> Endpoints:
    """The endpoints of sandbox servers listening at these origins."""
    from sandbox.seed import firm  # the seeded world's names: the servers' side only

    return Endpoints(
        clio=ClioEndpoint(
            base_url=clio_url,
            api_url=f"{clio_url}/api/v4",
            client_id=firm.CLIO_CLIENT_ID,
            redirect_uri=f"{clio_url}/oauth/approval",
            api_version=firm.CLIO_API_VERSION,
            demo_user=Login(**asdict(firm.CLIO_DEMO_USER)),
            identity_provider_url=identity_provider_url,
        ),
        legalconnect=LegalConnectEndpoint(
            base_url=lc_url,
            api_url=f"{lc_url}/api/v1",
            openapi_url=f"{lc_url}/api/v1/openapi.json",
            provider_name=firm.PROVIDER_NAME,
            demo_user=Login(**asdict(firm.LC_DEMO_USER)),
        ),
    )
