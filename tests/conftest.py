"""Fixtures shared by every test: settings on a temporary SQLite file, a manual clock, services.

Tests never read the developer's `.env` (`_env_file=None`) and never mock the store: each test
gets a real SQLite database in its own temporary folder.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """`../shared` beside the repository (CI places it there); a clear failure when absent."""
    if not (SHARED / "seeds").is_dir():
        pytest.fail(f"expected the shared material at {SHARED} (seeds and gold labels)")
    return SHARED


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for a test: its own database file, loopback fetching allowed, no .env."""
    values: dict[str, object] = {
        "database_url": f"sqlite:///{tmp_path / 'hindsight.db'}",
        "fetch_allowed_hosts": ["127.0.0.1"],
        "fetch_timeout_seconds": 3.0,
        "default_timezone": "Asia/Seoul",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Test settings on a temporary database."""
    return make_settings(tmp_path)


@pytest.fixture
def clock() -> ManualClock:
    """A clock the test moves by hand (starts 2025-12-15 09:00 UTC)."""
    return ManualClock(datetime(2025, 12, 15, 9, 0, tzinfo=UTC))


@pytest.fixture
async def services(settings: Settings, clock: ManualClock) -> AsyncIterator[Services]:
    """The domain services over a fresh SQLite file."""
    opened = await Services.open(settings, clock)
    try:
        yield opened
    finally:
        await opened.close()
