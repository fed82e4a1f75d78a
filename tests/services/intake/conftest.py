"""Shared pieces for the intake tests: a court, a private workdir, and `prepare` run to completion."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from app.services.intake import (
    MB,
    CourtLimits,
    DocumentConverter,
    Prepared,
    Ready,
    Refused,
    Stage,
    make_workdir,
    prepare,
)

SAN_DIEGO = CourtLimits("Superior Court of California, County of San Diego", 35 * MB, 50)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return make_workdir(tmp_path / "intake")


@pytest.fixture(scope="session")
def converter() -> DocumentConverter:
    found = DocumentConverter.detect()
    assert found.libreoffice.available, "LibreOffice (soffice) must be installed: ./dev installs it"
    return found


@pytest.fixture
def add(tmp_path: Path, workdir: Path, converter: DocumentConverter) -> Callable[..., Prepared]:
    """Write `data` as `name` and run it through `prepare`, as the Documents tab would."""

    def run(
        name: str,
        data: bytes,
        *,
        limits: CourtLimits = SAN_DIEGO,
        word_copy_required: bool = False,
        stages: list[Stage] | None = None,
    ) -> Prepared:
        source = tmp_path / "picked" / name
        source.parent.mkdir(exist_ok=True)
        source.write_bytes(data)
        return asyncio.run(
            prepare(
                source,
                name,
                limits=limits,
                word_copy_required=word_copy_required,
                converter=converter,
                workdir=workdir,
                on_stage=(stages if stages is not None else []).append,
            )
        )

    return run


def refused(result: Prepared) -> Refused:
    assert isinstance(result, Refused), f"expected a refusal, got {result}"
    return result


def ready(result: Prepared) -> Ready:
    assert isinstance(result, Ready), f"expected a ready document, got {result}"
    return result
