"""Members, moderators and forecasts for ledger tests (two guilds on one real SQLite file)."""

from __future__ import annotations

from datetime import date

from digests.app import Services
from digests.dates import due_moment
from digests.ledger.model import ForecastRecord
from digests.ledger.service import Actor
from tests.support import stores

GUILD = 1
OTHER_GUILD = 2
ALICE = Actor(GUILD, 10)
BOB = Actor(GUILD, 11)
CAROL = Actor(GUILD, 12)
MODERATOR = Actor(GUILD, 99, is_moderator=True)
OUTSIDER = Actor(OTHER_GUILD, 20)
OUTSIDE_MODERATOR = Actor(OTHER_GUILD, 98, is_moderator=True)


async def export_text(services: Services, guild_id: int) -> tuple[str, str]:
    """The ledger export's CSV and JSON text (the temporary files are removed)."""
    export = await services.ledger.export(guild_id)
    try:
        return export.csv_path.read_text("utf-8"), export.json_path.read_text("utf-8")
    finally:
        export.remove()


async def add_spoken(
    services: Services,
    guild_id: int,
    *,
    claim: str,
    speaker: str | None,
    due: date,
    probability: float | None = None,
    source_url: str | None = None,
) -> ForecastRecord:
    """A forecast attributed to a speaker (as analysis would find in a post), written through
    the real store."""
    zone = await services.ledger.zone(guild_id)
    forecast = ForecastRecord(
        guild_id=guild_id,
        origin="manual",
        fingerprint=f"test:{guild_id}:{claim}",
        sentence=f"{speaker} said {claim}" if speaker else claim,
        claim=claim,
        speaker=speaker,
        timex=due.isoformat(),
        due_start=due,
        due_end=due,
        due_at=due_moment(due, zone),
        granularity="day",
        kind="outlook",
        hedge="likely",
        confidence=0.9,
        source_label=source_url,
        source_url=source_url,
        author="Newsletter",
        probability=probability,
    )
    async with services.store.transaction() as transaction:
        forecast_id = await services.store.forecasts.add_manual(
            transaction, forecast=forecast, now=services.clock.now()
        )
    return await services.ledger.get(guild_id, forecast_id)


# These tests run on both stores: SQLite and PostgreSQL.
store_url = stores.store_url
