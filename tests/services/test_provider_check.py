"""First run: is this address a LegalConnect Service Provider? Against the sandbox over HTTP, and
each way an address can be wrong, in its own words."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from app.services.provider_check import ProviderProblem, check_provider, normalized


def test_the_sandbox_provider_is_recognised_by_its_public_profile(sandbox_world: Any) -> None:
    lc = sandbox_world.endpoints.legalconnect
    profile = check_provider(lc.api_url + "/")
    assert profile.name == "Pacific Crest Legal Services"
    assert profile.clio is True
    assert profile.url == lc.api_url.rstrip("/")


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("", "Enter your Service Provider's address"),
        ("http://efile.example.com/api/v1", "plain http is only allowed to this computer"),
        ("https://user:secret@efile.example.com/api/v1", "must not contain a user name or password"),
        ("ftp://efile.example.com", "is not an http(s) address"),
    ],
)
def test_addresses_that_cannot_be_used_say_why(address: str, expected: str) -> None:
    with pytest.raises(ProviderProblem) as refused:
        check_provider(address)
    assert expected in refused.value.message


def test_nothing_answering_is_said_with_the_host() -> None:
    with pytest.raises(ProviderProblem) as refused:
        check_provider("http://127.0.0.1:9/api/v1", timeout=3)  # the discard port: nobody listens
    assert (
        refused.value.message
        == "Nothing answers at 127.0.0.1. Check the address and your internet connection."
    )


def test_something_that_is_not_a_legalconnect_service_is_named(sandbox_world: Any) -> None:
    clio = sandbox_world.endpoints.clio.base_url  # a real server, but not a Service Provider
    with pytest.raises(ProviderProblem) as refused:
        check_provider(clio)
    assert "answered, but it is not a LegalConnect Service Provider" in refused.value.message
    assert "/provider" in refused.value.message


@respx.mock
def test_an_answer_that_is_not_a_provider_profile_is_refused_too() -> None:
    respx.get("https://efile.example.com/api/v1/provider").mock(
        return_value=httpx.Response(200, json={"hello": "world"})
    )
    with pytest.raises(ProviderProblem, match="not a LegalConnect Service Provider"):
        check_provider("efile.example.com/api/v1", transport=httpx.HTTPTransport())


def test_an_address_typed_loosely_is_tidied() -> None:
    assert normalized("  efile.example.com/api/v1/ ") == "https://efile.example.com/api/v1"
