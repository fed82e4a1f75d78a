"""Allow the app's Clio connection on the sandbox's own pages, as the demo user would in a browser.

For `legalconnect sync --sandbox` (and its scripts and demos): the headless command has no pop-up,
so it signs in on the Clio emulator's sign-in page with the demo credentials, clicks Allow, and
hands the redirect back to the app's OAuth lifecycle, which checks `state` and swaps the code
as it would after the real pop-up. Only ever pointed at the sandbox on loopback.
"""

from __future__ import annotations

import re

import httpx

from sandbox.endpoints import Login

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class DemoConsentFailed(RuntimeError):
    """The sandbox's Clio pages did not lead to the redirect (not the sandbox, or it changed)."""


def allow(authorize_url: str, login: Login) -> str:
    """Sign in as `login` on the authorize page and click Allow; returns the redirect's location."""
    if not authorize_url.startswith(("http://127.0.0.1", "http://localhost")):
        raise DemoConsentFailed("the demo sign-in is only for the sandbox on this computer")
    with httpx.Client(follow_redirects=False, timeout=15) as browser:
        page = browser.get(authorize_url)
        if page.status_code != 200:
            raise DemoConsentFailed(f"Clio's sign-in page answered {page.status_code}")
        signed_in = browser.post(
            authorize_url, data={"step": "sign_in", "email": login.email, "password": login.password}
        )
        match = _CSRF.search(signed_in.text)
        if signed_in.status_code != 200 or match is None:
            raise DemoConsentFailed("the demo user could not sign in to the sandbox's Clio")
        answer = browser.post(authorize_url, data={"csrf_token": match.group(1), "decision": "allow"})
        location = answer.headers.get("location", "")
        if answer.status_code != 302 or not location:
            raise DemoConsentFailed("the sandbox's Clio did not redirect after Allow")
        return location
