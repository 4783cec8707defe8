"""The `python -m digests` commands, run in-process through `digests.cli.run`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digests.cli import SAMPLES, run
from digests.settings import Settings
from tests.conftest import make_settings
from tests.support.local_http import FeedItem, LocalHTTPServer, rss_xml


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


async def posts_json(settings: Settings, capsys: pytest.CaptureFixture[str], *extra: str) -> list:
    capsys.readouterr()
    assert await run(["posts", "--json", *extra], settings) == 0
    return json.loads(capsys.readouterr().out)


async def test_ingest_seeds_then_again(
    settings: Settings, shared_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = str(shared_dir / "seeds")

    first_code = await run(["ingest", seeds], settings)
    first = capsys.readouterr()
    second_code = await run(["ingest", seeds], settings)
    second = capsys.readouterr()

    assert first_code == 0
    stored = [line for line in lines(first.out) if line.startswith("stored")]
    assert len(stored) == 14
    assert sum("002_" in line for line in stored) == 11
    assert any("크리스 정" in line and "2025-11-04" in line for line in stored)
    assert any("date unknown" in line for line in stored)
    assert lines(first.out)[-1] == "14 stored, 0 skipped, 0 failed"
    assert "error" not in first.err

    assert second_code == 0
    skipped = [line for line in lines(second.out) if line.startswith("skipped")]
    assert len(skipped) == 14
    assert all("already stored as post" in line for line in skipped)
    assert lines(second.out)[-1] == "0 stored, 14 skipped, 0 failed"
    assert len(await posts_json(settings, capsys)) == 14


async def test_ingest_missing_path_fails_with_one_clear_line(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "such.txt"

    code = await run(["ingest", str(missing)], settings)
    output = capsys.readouterr()

    assert code != 0
    assert lines(output.err) == [f"error: {missing}: no such file or folder"]
    assert lines(output.out) == ["0 stored, 0 skipped, 1 failed"]


async def test_ingest_reports_bad_and_good_inputs(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.md"
    good.write_text(
        "---\ntitle: 금리 메모\ndate: 2025-11-03\n---\n"
        "한국은행은 기준금리를 동결했다. 시장은 내년 상반기에 인하가 시작될 것으로 본다.\n",
        encoding="utf-8",
    )
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02\x03")

    code = await run(["ingest", str(binary), str(good)], settings)
    output = capsys.readouterr()

    assert code != 0
    assert lines(output.err) == [f"error: {binary}: binary file (contains NUL bytes), not text"]
    out = lines(output.out)
    assert out[0].startswith("stored") and "2025-11-03" in out[0] and "금리 메모" in out[0]
    assert out[-1] == "1 stored, 0 skipped, 1 failed"


async def test_a_hostile_feed_neither_stops_ingest_nor_the_rest_of_the_batch(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = (
        "번째 메모의 본문이다. 반도체 업황은 내년 상반기에 회복될 것이다. 메모리 가격도 오른다."
    )
    items = [
        FeedItem(title=f"메모 {n} &#99999999;", guid=f"g{n}", summary=f"{n}{summary}")
        for n in range(2)
    ]
    hostile = rss_xml("블로그", "https://blog.example/", items).replace(b"&amp;#", b"&#")
    good = tmp_path / "good.md"
    good.write_text(
        "---\ntitle: 금리 메모\n---\n"
        "한국은행은 기준금리를 동결했다. 시장은 내년 상반기에 인하가 시작될 것으로 본다.\n",
        encoding="utf-8",
    )
    async with LocalHTTPServer() as server:
        feed_url = server.feed("/hostile.xml", hostile)
        broken_url = server.feed("/broken.xml", b"\x00\x01\x02 not a feed")

        code = await run(["ingest", feed_url, broken_url, str(good)], settings)

    output = capsys.readouterr()
    assert code != 0
    assert lines(output.err) == [
        f"error: {broken_url}: malformed feed XML: not well-formed (invalid token)"
    ]
    stored = [line for line in lines(output.out) if line.startswith("stored")]
    assert [("메모 0" in stored[0]), ("메모 1" in stored[1]), ("금리 메모" in stored[2])] == [
        True
    ] * 3
    assert lines(output.out)[-1] == "3 stored, 0 skipped, 1 failed"


@pytest.mark.parametrize(
    ("published", "message"),
    [
        ("2020-13-01", "'2020-13-01' is not a real date: there is no month 13 (write YYYY-MM-DD)"),
        ("2025-02-29", "'2025-02-29' is not a real date: February 2025 has 28 days"),
        ("last week", "'last week' is not a date in YYYY-MM-DD form"),
        ("9999-01-01", "9999-01-01 is in the future (after "),
    ],
)
async def test_ingest_with_an_invalid_published_date(
    settings: Settings,
    shared_dir: Path,
    capsys: pytest.CaptureFixture[str],
    published: str,
    message: str,
) -> None:
    code = await run(["ingest", "--published", published, str(shared_dir / "seeds")], settings)
    output = capsys.readouterr()

    assert code != 0
    [error] = lines(output.err)
    assert error.startswith(f"error: --published: {message}")
    assert "stored" not in output.out
    assert await posts_json(settings, capsys) == []


async def test_published_fills_only_unknown_dates(
    settings: Settings, shared_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = shared_dir / "seeds"
    (essay,) = seeds.glob("003_*.txt")
    (archive,) = seeds.glob("002_*.txt")

    code = await run(["ingest", "--published", "2025-11-05", str(essay), str(archive)], settings)
    capsys.readouterr()
    posts = await posts_json(settings, capsys)

    assert code == 0
    by_title = {post["title"]: post for post in posts}
    assert by_title["나는 GPU 몇장짜리 인간일까?"]["published"] == "2025-11-05T00:00:00+09:00"
    archive_dates = sorted(p["published"] for p in posts if p["source"] == str(archive))
    assert len(archive_dates) == 11
    assert archive_dates[-1] == "2025-11-04T12:47:00-07:00"
    assert not any(date.startswith("2025-11-05") for date in archive_dates)


async def test_posts_json_lists_titles_per_guild(
    settings: Settings, shared_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (essay,) = (shared_dir / "seeds").glob("003_*.txt")
    (blog,) = (shared_dir / "seeds").glob("000_*.txt")
    assert await run(["ingest", "--guild", "99", str(essay), str(blog)], settings) == 0

    ours = await posts_json(settings, capsys, "--guild", "99")
    default_guild = await posts_json(settings, capsys)

    assert isinstance(ours, list)
    assert sorted(post["title"] for post in ours) == [
        "ELON MUSK “나를 따르라!”",
        "나는 GPU 몇장짜리 인간일까?",
    ]
    assert {post["lang"] for post in ours} == {"ko"}
    assert all(post["published"] is None and post["chars"] > 1000 for post in ours)
    assert default_guild == []


async def test_posts_without_json(
    settings: Settings, shared_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(["posts"], settings) == 0
    assert "no posts stored" in capsys.readouterr().out

    (essay,) = (shared_dir / "seeds").glob("003_*.txt")
    await run(["ingest", str(essay)], settings)
    capsys.readouterr()
    assert await run(["posts"], settings) == 0
    assert "나는 GPU 몇장짜리 인간일까?" in capsys.readouterr().out


async def test_demo_ingests_the_samples(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    sample_files = sorted(p for p in SAMPLES.iterdir() if p.suffix in {".txt", ".md", ".html"})

    code = await run(["demo"], settings)
    output = capsys.readouterr()
    again_code = await run(["demo"], settings)
    again = capsys.readouterr()

    assert code == 0
    out = lines(output.out)
    assert out[0].startswith("Hindsight demo")
    assert settings.database_url in output.out.replace("\n", "")  # rich may wrap the header
    stored = [line for line in out if line.startswith("stored")]
    assert len(stored) >= len(sample_files) >= 4
    for sample in sample_files:
        assert any(str(sample) in line for line in stored), sample.name
    assert f"{len(stored)} stored, 0 skipped, 0 failed" in out
    assert "Stored posts:" in out
    assert len(await posts_json(settings, capsys)) == len(stored)

    assert again_code == 0
    assert f"0 stored, {len(stored)} skipped, 0 failed" in lines(again.out)


ESSAY = (
    "Why I stopped trusting year-end outlooks\n\n"
    "Every December the same ritual repeats.\n\n"
    "I expect at least one large AI lab to sign a nuclear power deal within 18 months.\n"
    "Next year, memory prices will rise by 20%.\n"
)


async def test_an_undated_post_says_how_to_date_it_and_posts_date_does(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    essay = tmp_path / "essay.txt"
    essay.write_text(ESSAY, encoding="utf-8")

    assert await run(["ingest", str(essay)], settings) == 0
    ingested = capsys.readouterr().out
    code = await run(["posts", "date", "1", "2020-09-23"], settings)
    dated = capsys.readouterr()
    [post] = await posts_json(settings, capsys)

    assert "stored   #1     date unknown · Why I stopped trusting year-end outlooks" in ingested
    assert (
        "2 forecasts need the post's date: run python -m digests posts date 1 YYYY-MM-DD"
        in ingested
    )
    assert code == 0
    assert lines(dated.out)[0] == "== Post #1 dated 2020-09-23 =="
    assert "• 2 forecasts waiting for this date are now tracked" in dated.out
    assert (post["published"], post["published_source"]) == (
        "2020-09-23T00:00:00+09:00",
        "given",
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["posts", "date", "1", "2099-01-01"], "error: date: 2099-01-01 is in the future"),
        (["posts", "date", "1", "yesterday"], "error: date: 'yesterday' is not a date"),
        (["posts", "date", "7", "2020-09-23"], "error: No post #7 in this server."),
        (["posts", "date", "one", "2020-09-23"], "error: ID: 'one' is not a whole number"),
        (["posts", "--guild", "5", "date", "1", "2020-09-23"], "error: No post #1"),
    ],
)
async def test_posts_date_refuses_bad_input_with_one_clear_line(
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
) -> None:
    essay = tmp_path / "essay.txt"
    essay.write_text(ESSAY, encoding="utf-8")
    await run(["ingest", str(essay)], settings)
    capsys.readouterr()

    code = await run(arguments, settings)
    output = capsys.readouterr()

    assert code == 2
    assert lines(output.err)[0].startswith(message)
    [post] = await posts_json(settings, capsys)
    assert post["published"] is None


@pytest.mark.postgresql
async def test_the_demo_and_the_commands_run_on_postgresql(
    tmp_path: Path, postgres_store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A password in the URL is never printed (the throwaway server trusts local connections,
    # so any password works).
    url = postgres_store_url.replace("://", "://hindsight_test:pw-not-shown@", 1).replace(
        "hindsight_test@", "", 1
    )
    settings = make_settings(tmp_path, database_url=url)

    code = await run(["demo"], settings)
    output = capsys.readouterr()

    assert code == 0, output.err
    assert "pw-not-shown" not in output.out + output.err
    assert "hindsight_test:***@" in output.out.replace("\n", "")
    assert "skipped on PostgreSQL" in output.out  # the preview copies SQLite files only
    stored = [line for line in lines(output.out) if line.startswith("stored")]
    assert stored and len(await posts_json(settings, capsys)) == len(stored)


async def test_an_unreachable_database_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path, database_url="postgresql://bot:s3cret@127.0.0.1:1/nothing")

    code = await run(["posts"], settings)
    output = capsys.readouterr()

    assert code == 2
    assert output.err.startswith("error: cannot connect to the database postgresql://bot:***@")
    assert "s3cret" not in output.err
