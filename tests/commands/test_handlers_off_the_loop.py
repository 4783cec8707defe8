"""Slow work of commands runs off the event loop: the ledger export (streamed to files from a
worker thread) and chart drawing (a worker thread, matplotlib imported on first use).

The loop is watched while the command runs: it must never be blocked for more than 200 ms.
"""

from __future__ import annotations

import asyncio
import csv
import gc
import io
import json
import subprocess
import sys
import tempfile
import threading
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from digests.app import Services
from digests.commands import handlers
from digests.commands.handlers import Commands
from digests.errors import Conflict
from digests.ledger.model import ForecastRecord
from tests.commands.conftest import GUILD, MEMBER, OTHER_GUILD
from tests.conftest import REPO
from tests.support.loop_lag import LoopLag

MAX_LAG = 0.2  # seconds
LEDGER_SIZE = 12_000
CLAIM = "엔비디아는 2026년 하반기까지 데이터센터 매출이 두 배로 늘 것이라고 전망했다 " * 3


async def seed_ledger(services: Services, count: int) -> None:
    """`count` forecasts with long Korean text, written through the store in one transaction."""
    now = services.clock.now()
    async with services.store.transaction() as transaction:
        for number in range(count):
            due_at = now + timedelta(days=number % 700)
            await services.store.forecasts.add_manual(
                transaction,
                forecast=ForecastRecord(
                    guild_id=GUILD,
                    origin="manual",
                    fingerprint=f"seed:{number}",
                    sentence=f"{CLAIM} ({number})",
                    claim=f"#{number} {CLAIM}",
                    speaker="젠슨 황" if number % 3 else None,
                    timex="2026년 하반기",
                    due_start=due_at.date() - timedelta(days=180),
                    due_end=due_at.date(),
                    due_at=due_at,
                    granularity="half",
                    kind="target",
                    hedge="likely",
                    confidence=0.75,
                    source_label=f"블로그 글 {number % 97}",
                    source_url=f"https://blog{number % 97}.example/p/{number}",
                    author="김작가",
                    probability=0.6 if number % 5 == 0 else None,
                ),
                now=now,
            )


async def test_exporting_a_large_ledger_never_blocks_the_loop(
    services: Services, commands: Commands
) -> None:
    await seed_ledger(services, LEDGER_SIZE)
    async with LoopLag() as lag:
        reply = await commands.export(MEMBER)
    assert lag.samples > 10  # the loop ran meanwhile
    assert lag.worst <= MAX_LAG, f"the loop was blocked for {lag.worst * 1000:.0f} ms"

    csv_file, json_file = reply.files
    assert (csv_file.filename, json_file.filename) == ("forecasts.csv", "forecasts.json")
    rows = list(csv.DictReader(io.StringIO(csv_file.read_bytes().decode("utf-8"))))
    json_text = json_file.read_bytes().decode("utf-8")
    items = json.loads(json_text)
    assert len(rows) == len(items) == LEDGER_SIZE
    assert [int(row["id"]) for row in rows] == [item["id"] for item in items]
    assert items[0]["claim"].startswith("#0 엔비디아는")  # soonest due first
    # Written row by row, yet the same text json.dumps writes for the whole list at once.
    assert json_text == json.dumps(items, ensure_ascii=False, indent=2)

    # The files live on disk only as long as the reply that carries them.
    paths = [csv_file.path, json_file.path]
    assert all(path is not None and path.exists() for path in paths)
    del reply, csv_file, json_file
    gc.collect()
    assert not any(path.exists() for path in paths if path is not None)


async def test_an_empty_ledger_exports_a_header_and_an_empty_list(commands: Commands) -> None:
    reply = await commands.export(MEMBER)
    csv_file, json_file = reply.files
    assert csv_file.read_bytes().decode("utf-8").splitlines()[0].startswith("id,status,outcome")
    assert json_file.read_bytes() == b"[]"


async def test_an_export_above_the_upload_limit_is_zipped_or_refused_with_its_sizes(
    services: Services, commands: Commands
) -> None:
    await seed_ledger(services, 300)
    whole = await commands.export(MEMBER)
    size = sum(attachment.size for attachment in whole.files)
    del whole
    gc.collect()

    zipped = await commands.export(MEMBER, upload_limit=size - 1)
    (archive_file,) = zipped.files
    assert archive_file.filename == "forecasts.zip"
    assert archive_file.size < size // 3  # repetitive ledger text deflates well
    with zipfile.ZipFile(io.BytesIO(archive_file.read_bytes())) as archive:
        assert archive.namelist() == ["forecasts.csv", "forecasts.json"]
        assert len(json.loads(archive.read("forecasts.json"))) == 300

    temporary = Path(tempfile.gettempdir())

    def ours() -> set[Path]:
        return set(temporary.glob("hindsight-forecasts-*"))

    before = await asyncio.to_thread(ours)
    with pytest.raises(Conflict) as refused:
        await commands.export(MEMBER, upload_limit=1024)
    assert "300" in refused.value.message_in("en") and "MB" in refused.value.message_in("en")
    assert "압축해도" in refused.value.message_in("ko")
    # Nothing is left on disk by the refused export (its CSV, JSON and zip are all removed).
    assert await asyncio.to_thread(ours) <= before


async def ingest(services: Services, guild: int, days_ago: int, title: str) -> None:
    published = services.clock.now() - timedelta(days=days_ago)
    text = (
        "브로드컴 주가가 사상 최고치를 기록했다. 브로드컴은 맞춤형 AI 칩 주문이 늘었다고 밝혔다.\n"
        "HBM 수요는 2026년까지 두 배로 늘 것이다. HBM 공급은 여전히 부족하다.\n"
    )
    await services.ingest.ingest_text(text, guild, title=title, published=published)


@pytest.fixture
def drawing_threads(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """The threads charts are drawn in (the real drawing, observed)."""
    threads: list[threading.Thread] = []
    draw = handlers.render_chart

    def observed(digest: object) -> bytes | None:
        threads.append(threading.current_thread())
        return draw(digest)  # type: ignore[arg-type]

    monkeypatch.setattr(handlers, "render_chart", observed)
    return threads


async def test_charts_are_drawn_in_a_worker_thread(
    services: Services, commands: Commands, drawing_threads: list[threading.Thread]
) -> None:
    for days_ago in (1, 3, 9, 15):
        await ingest(services, GUILD, days_ago, f"브로드컴 {days_ago}")
    async with LoopLag() as lag:
        themes = await commands.themes(MEMBER, 7)
        digest = await commands.digest_now(MEMBER, 7)
        summary = await commands.summary(MEMBER, days=7)
    assert lag.worst <= MAX_LAG, f"the loop was blocked for {lag.worst * 1000:.0f} ms"
    for reply, name in ((themes, "themes.png"), (digest, "digest.png"), (summary, "digest.png")):
        [chart] = reply.files
        assert chart.filename == name and chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert len(drawing_threads) == 3
    assert threading.main_thread() not in drawing_threads


async def test_a_queued_digest_is_drawn_in_a_worker_thread_too(
    services: Services, commands: Commands, drawing_threads: list[threading.Thread]
) -> None:
    from digests.digest.render import to_json
    from digests.outbox_payloads import DigestPayload

    await ingest(services, OTHER_GUILD, 1, "브로드컴")
    built = await services.digests.build_now(OTHER_GUILD, 7)
    reply = await commands.render_delivery(DigestPayload(digest=to_json(built)), False)
    assert [attachment.filename for attachment in reply.files] == ["digest.png"]
    assert drawing_threads and threading.main_thread() not in drawing_threads


def test_starting_the_bot_does_not_import_matplotlib() -> None:
    code = (
        "import sys, bot.client, digests.commands.handlers, digests.app; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "[]"
