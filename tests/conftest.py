"""Fixtures shared by every test: settings on a temporary database, a manual clock, services.

Tests never read the developer's `.env` (`_env_file=None`) and never mock the store: each test
gets a real SQLite database in its own temporary folder, and in the folders that run on both
stores (`tests.support.stores`) also a real PostgreSQL database of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.settings import Settings
from tests.support import stores

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
def store_url(tmp_path: Path) -> str:
    """The test's database: a SQLite file in its folder. Folders whose tests run on both
    stores override this with `tests.support.stores.store_url`."""
    return f"sqlite:///{tmp_path / 'hindsight.db'}"


@pytest.fixture
def settings(tmp_path: Path, store_url: str) -> Settings:
    """Test settings on the test's database (`store_url`)."""
    return make_settings(tmp_path, database_url=store_url)


# A PostgreSQL database of the test's own, for single tests outside the both-stores folders.
postgres_store_url = stores.postgres_store_url


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_template() -> Iterator[None]:
    """Drop the session's PostgreSQL template database (if one was made) at the end."""
    yield
    if stores.template_name() is not None and (admin := stores.admin_url()) is not None:
        stores.drop_recycled(admin)
        stores.drop_template(admin)


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
