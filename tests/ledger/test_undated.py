"""Views and forecasts waiting for their post's date in the ledger (digests/ledger/service.py).

Undated statements ("…될 것 같다") are kept but not tracked: the ledger lists them only when
asked, and any member can date one to track it. Forecasts waiting for their post's date are
listed (status needs-date, and with all) but never open, never due.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from digests.app import Services
from digests.errors import InputError, NotFound, PermissionDenied
from digests.ledger.model import ForecastRecord
from tests.ledger.conftest import ALICE, GUILD, MODERATOR, OTHER_GUILD, OUTSIDER, export_text

ESSAY = "\n".join(
    [
        "배터리 산업에 대한 생각",
        "앞으로 2~3년 안에 전고체 배터리가 상용화될 것이다.",
        "내년에는 HBM 가격이 20% 오를 것으로 전망한다.",
        "2027년까지 로보택시가 미국 10개 도시에서 운행될 것이다.",
        "반도체 업황은 결국 좋아질 것 같다.",
    ]
)


async def essay(services: Services, guild: int = GUILD) -> dict[str, ForecastRecord]:
    [result] = await services.ingest.ingest_text(ESSAY, guild)
    return {
        forecast.timex or "view": forecast
        for forecast in await services.store.forecasts.for_post(guild, result.post_id or 0)
    }


async def listed(services: Services, status: str, guild: int = GUILD) -> set[int]:
    return {f.id for f in await services.ledger.list(guild, status=status, page_size=100)}


async def test_each_listing_holds_what_its_name_says(services: Services) -> None:
    found = await essay(services)
    view, tracked = found["view"].id, found["2027년"].id
    waiting = {found["내년"].id, found["앞으로 2~3년 안에"].id}

    assert await listed(services, "all") == {tracked} | waiting
    assert await listed(services, "open") == {tracked}
    assert await listed(services, "due") == set()
    assert await listed(services, "needs-date") == waiting
    assert await listed(services, "undated") == {view}
    assert await listed(services, "views") == {view}
    assert await listed(services, "NEEDS_DATE") == waiting
    # Waiting forecasts come after every dated one.
    ordered = await services.ledger.list(GUILD, status="all", page_size=100)
    assert ordered[0].id == tracked


async def test_an_unknown_status_names_the_choices(services: Services) -> None:
    with pytest.raises(InputError, match="needs-date") as raised:
        await services.ledger.list(GUILD, status="someday")

    assert raised.value.subject == "status"


async def test_any_member_can_date_a_view_and_it_becomes_tracked(services: Services) -> None:
    view = (await essay(services))["view"]

    dated = await services.ledger.redate(ALICE, view.id, "2026-06-30")

    assert (dated.due_end, dated.status, dated.is_view) == (date(2026, 6, 30), "open", False)
    assert view.id in await listed(services, "open")
    assert view.id not in await listed(services, "undated")
    [event] = await services.store.ledger.events(GUILD, view.id)
    assert (event.kind, event.actor) == ("redated", ALICE.user_id)
    # Once tracked, moving its date again is a moderator's call.
    with pytest.raises(PermissionDenied, match="moderators"):
        await services.ledger.redate(ALICE, view.id, "2026-12-31")


async def test_a_forecast_waiting_for_its_posts_date_is_a_moderators_to_date(
    services: Services,
) -> None:
    waiting = (await essay(services))["내년"]

    with pytest.raises(PermissionDenied, match="post's date"):
        await services.ledger.redate(ALICE, waiting.id, "2026-12-31")
    dated = await services.ledger.redate(MODERATOR, waiting.id, "2026-12-31")

    assert (dated.due_end, dated.needs_date) == (date(2026, 12, 31), False)
    assert waiting.id in await listed(services, "open")
    assert waiting.id not in await listed(services, "needs-date")


async def test_views_and_waiting_forecasts_stay_in_their_guild(services: Services) -> None:
    found = await essay(services)

    assert await listed(services, "needs-date", OTHER_GUILD) == set()
    assert await listed(services, "undated", OTHER_GUILD) == set()
    with pytest.raises(NotFound, match=f"No forecast #{found['view'].id}"):
        await services.ledger.redate(OUTSIDER, found["view"].id, "2026-06-30")
    assert (await services.ledger.get(GUILD, found["view"].id)).is_view


async def test_the_export_says_which_forecasts_wait_for_a_date(services: Services) -> None:
    found = await essay(services)

    csv_text, _ = await export_text(services, GUILD)

    rows = list(csv.DictReader(io.StringIO(csv_text)))
    waiting = {found["내년"].id, found["앞으로 2~3년 안에"].id}
    assert {int(row["id"]) for row in rows if row["needs_date"] == "1"} == waiting
    assert len(rows) == len(found)
