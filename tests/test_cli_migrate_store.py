"""`python -m digests migrate-store`: a front end over `digests.store.transfer` that prints the
counts of every table, and one clear line for a refused target."""

from __future__ import annotations

from pathlib import Path

import pytest

from digests.app import Services
from digests.cli import run
from digests.clock import ManualClock
from digests.ledger.service import Actor
from digests.settings import Settings


async def test_migrate_store_prints_every_tables_counts(
    settings: Settings, clock: ManualClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with await Services.open(settings, clock) as services:
        await services.ledger.add(Actor(5, 10), claim="Rates fall by spring", due="2026-03-01")
    target = tmp_path / "copy" / "hindsight.db"

    code = await run(
        ["migrate-store", "--from", settings.database_url, "--to", f"sqlite:///{target}"], settings
    )
    output = capsys.readouterr()

    assert code == 0, output.err
    rows = {line.split()[0]: line.split()[1:] for line in output.out.splitlines()[1:-1]}
    assert rows["forecasts"] == ["1", "1"] and rows["subscriptions"] == ["1", "1"]
    assert rows["posts"] == ["0", "0"]
    assert output.out.splitlines()[-1].startswith(
        "moved 3 rows in "
    )  # forecast, event, subscription

    again = await run(
        ["migrate-store", "--from", settings.database_url, "--to", f"sqlite:///{target}"], settings
    )
    refused = capsys.readouterr()
    assert again == 2
    assert refused.err.startswith("error: --to: the target store is not empty (")
