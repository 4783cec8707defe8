"""Ingestion stores every post's analysis in the same transaction as the post."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from digests.app import Services

NEWS = (
    "브로드컴 실적 메모\n\n"
    "브로드컴의 호크 탄 CEO는 “2026년 이후에도 AI 매출이 상당히 개선될 것”이라며 자신감을 드러냈다.\n"
    "4분기 AI 매출 전망도 62억 달러로 전년 대비 66% 성장을 예고했다.\n"
    "지난주 발표한 3분기 실적은 시장에 충격을 줬다.\n"
)


async def test_ingested_post_carries_its_analysis(services: Services) -> None:
    [result] = await services.ingest.ingest_text(NEWS, 7, published=None, title="브로드컴")
    assert result.predictions >= 1
    forecasts = await services.store.forecasts.for_post(7, result.post_id)
    assert forecasts, "analysis forecasts are stored with the post"
    # The post has no date: relative dates are read as of ingestion (the manual clock's day).
    assert all(
        forecast.due_end and forecast.due_end > date(2025, 12, 15)
        for forecast in forecasts
        if forecast.due_end
    )
    quotes = await services.store.analysis.quotes(7)
    assert [quote.speaker for quote in quotes] == ["호크 탄"]
    assert await services.store.analysis.summary(7, result.post_id)
    assert await services.store.analysis.themes(7, result.post_id)
    # Another guild sees none of it.
    assert await services.store.analysis.quotes(8) == []
    assert await services.store.forecasts.for_post(8, result.post_id) == []


async def test_forecast_rows_are_not_duplicated_by_reanalysis(services: Services) -> None:
    [result] = await services.ingest.ingest_text(NEWS, 7)
    first = await services.store.forecasts.for_post(7, result.post_id)
    stored = await services.store.posts.get(7, result.post_id)
    assert stored is not None
    analysis = services.analysis.analyze_for_store(stored)
    async with services.store.transaction() as transaction:
        await services.analysis.store_analysis(transaction, result.post_id, stored, analysis)
    again = await services.store.forecasts.for_post(7, result.post_id)
    assert [f.id for f in again] == [f.id for f in first]
    assert await services.store.forecasts.count(7) == len(first)


async def test_seed_ingestion_stores_forecasts_with_guild_timezone_deadlines(
    services: Services, shared_dir: Path
) -> None:
    report = await services.ingest.ingest_inputs(
        [shared_dir / "seeds" / "002_0a83cdb3fe2b3cf5.txt"], 3
    )
    assert len(report.stored) == 11
    windows = []
    for result in report.stored:
        windows += [
            (f.due_end, f.due_at)
            for f in await services.store.forecasts.for_post(3, result.post_id)
            if f.due_end
        ]
    assert windows
    for due_end, due_at in windows:
        # The window closes at the next midnight in Asia/Seoul (15:00 UTC the day of due_end).
        assert due_at.isoformat().endswith("15:00:00+00:00")
        assert due_at.date() == due_end


async def test_forecasts_counted_from_an_unknown_date_are_stored_without_a_window(
    services: Services,
) -> None:
    text = "배터리 메모\n내년에는 HBM 가격이 20% 오를 것으로 전망한다.\n2027년까지 로보택시가 10개 도시에서 운행될 것이다.\n"
    [undated] = await services.ingest.ingest_text(text, 7)
    [dated] = await services.ingest.ingest_text(f"입력 2025.11.04 09:40\n{text}추가 메모.\n", 7)

    assert (undated.predictions, undated.needs_date) == (2, 1)
    assert (dated.predictions, dated.needs_date) == (2, 0)
    rows = {f.timex: f for f in await services.store.forecasts.for_post(7, undated.post_id or 0)}
    assert rows["내년"].needs_date and rows["내년"].due_end is None
    assert rows["2027년"].due_end == date(2027, 12, 31) and not rows["2027년"].needs_date
    # Stored again (re-analysis), the same rows are updated, not doubled.
    stored = await services.store.posts.get(7, undated.post_id or 0)
    assert stored is not None
    analysis = services.analysis.analyze_for_store(stored)
    async with services.store.transaction() as transaction:
        counts = await services.analysis.store_analysis(
            transaction, undated.post_id or 0, stored, analysis
        )
    assert (counts.tracked, counts.needs_date, counts.views) == (1, 1, 0)
    again = await services.store.forecasts.for_post(7, undated.post_id or 0)
    assert sorted(f.id for f in again) == sorted(f.id for f in rows.values())
