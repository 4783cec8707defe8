"""Fuzzing the command layer: thousands of hostile feeds, pages, files, texts and arguments.

A seeded generator (the same cases every run) mutates valid feeds (RSS, Atom, JSON Feed),
pages and files, and draws arguments for every command, then runs each case through
`digests/commands/handlers.py` against a real SQLite file and a local HTTP server. After every
case: no exception but our user-facing ones escaped, nothing is half stored (every post has
its analysis and its index row, no dangling references), and the scheduler still ticks.
"""

from __future__ import annotations

import json
import random
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from digests.app import Services
from digests.clock import ManualClock
from digests.commands.handlers import Caller, Commands
from digests.errors import HindsightError
from tests.conftest import make_settings
from tests.reminders.recording import RecordingTransport
from tests.support.local_http import FeedItem, LocalHTTPServer, atom_xml, rss_xml

SEED = 20251215
CASES = {"feed": 600, "page": 400, "file": 450, "text": 250, "command": 500}
GUILD = 1
MODERATOR = Caller(GUILD, 99, is_moderator=True, can_manage_messages=True)
MEMBER = Caller(GUILD, 10)
TIME_BUDGET_SECONDS = 60

SENTENCES = [
    "반도체 업황은 내년 상반기에 회복될 것이다.",
    "테슬라 26년 목표 시총 3.3조달러라고 그는 말했다.",
    "FSD wide release is expected by the end of 2025, the company said.",
    "한국은행은 기준금리를 동결했다. 시장은 내년 인하를 예상한다.",
    "Capex growth in 2026 will exceed 50% according to analysts.",
    "희토류 가격이 내년 상반기까지 높은 수준을 유지할 것으로 내다봤다.",
    "The Fed will cut rates twice before the end of next year.",
]
HOSTILE_FRAGMENTS = [
    "&#99999999;", "&#xD800;", "&#0;", "&#x1F;", "&#" + "9" * 30 + ";", "&nbsp;", "&bogus;",
    "<", ">", "&", "<![CDATA[", "]]>", "<!--", "<script>", "</item>", "<item>", "<entry>",
    "\x00", "\x1b", "\ufffd", "\u202e", "\ud800", "@everyone", "<@123>", "<@&456>",
    "ÇÑ±¹", "𝕳𝖎", "🙂" * 3, "\n" * 5, "reply\n" * 20, "<a href='m2'>", "javascript:alert(1)",
    "Mon, 99 Foo 99999 99:99:99 +9999", "2025-13-45T25:61:61Z", "9" * 400,
]  # fmt: skip
WEIRD_STRINGS = [
    "", " ", "0", "-1", "1e309", "NaN", "null", "#1", "2025-12-31", "내년 상반기", "in 3 months",
    "yesterday-ish", "25:99", "mon", "매일", "Asia/Seoul", "Mars/Olympus", "../../etc/passwd",
    "a" * 3000, "\ud800", "\x00", "<@&1>", "@here", "correct", "wrong", "ko", "en", "xx",
    "hs:vote:1:correct", "hs:snooze:1", "hs:remind:99999999999999999999", "hs:vote:x:y",
    "https://", "http://127.0.0.1:1/", "ftp://example.com/", "🙂", "٣", "Ⅻ", "70%", "150%",
]  # fmt: skip
WEIRD_INTS = [0, 1, 2, 3, -1, 7, 366, 367, 2**31, 2**53, 2**63, 2**64, -(2**63) - 1, 10**30]


class Fuzzer:
    """Draws cases from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def text(self, words: int = 20, *, surrogates: bool = False) -> str:
        """Sentences with hostile fragments; lone surrogates only where a str can carry them
        (a command argument), not into documents that must be encoded first."""
        pool = SENTENCES + HOSTILE_FRAGMENTS
        parts = [self.random.choice(SENTENCES)] + [
            self.random.choice(pool) for _ in range(self.random.randint(0, words // 4))
        ]
        self.random.shuffle(parts)
        text = " ".join(parts)
        return text if surrogates else text.replace("\ud800", "\U0001d573")

    def mutate(self, data: bytes) -> bytes:
        """Flip, cut, repeat or splice bytes, or insert a hostile fragment."""
        data = bytearray(data)
        for _ in range(self.random.randint(1, 4)):
            if not data:
                break
            where = self.random.randrange(len(data))
            choice = self.random.random()
            if choice < 0.25:
                data[where] = self.random.randrange(256)
            elif choice < 0.4:
                del data[where:]
            elif choice < 0.6:
                fragment = self.random.choice(HOSTILE_FRAGMENTS).encode("utf-8", "surrogatepass")
                data[where:where] = fragment
            elif choice < 0.7:
                data[where:where] = data[where : where + 50] * self.random.randint(2, 50)
            else:
                data[where:where] = self.random.randbytes(self.random.randint(1, 20))
        return bytes(data)

    def items(self) -> list[FeedItem]:
        return [
            FeedItem(
                title=self.text(4),
                link=self.random.choice([None, f"https://blog.example/{n}", "m2", "/rel/x"]),
                guid=self.random.choice([None, f"g{n}", "m2", ""]),
                author=self.random.choice([None, "김작가", self.text(2)]),
                published=self.random.choice(
                    [
                        None,
                        "Mon, 01 Dec 2025 09:00:00 +0900",
                        "2025-12-01T09:00:00+09:00",
                        "not a date",
                        "Mon, 01 Dec 2025 09:00:00 KST",
                    ]
                ),
                summary=self.text(),
                content=self.random.choice([None, f"<p>{self.text()}</p>"]),
            )
            for n in range(self.random.randint(0, 5))
        ]

    def feed(self) -> tuple[bytes, str]:
        kind = self.random.choice(["rss", "atom", "json"])
        if kind == "rss":
            encoding = self.random.choice(["utf-8", "euc-kr", "iso-8859-1", "utf-16", "bogus"])
            codec = {"bogus": "utf-8", "euc-kr": "cp949"}.get(encoding, encoding)
            try:
                body = rss_xml(self.text(3), "https://blog.example/", self.items(),
                               encoding=encoding, python_codec=codec)  # fmt: skip
            except UnicodeError:
                body = rss_xml(self.text(3), "https://blog.example/", self.items())
            content_type = "application/rss+xml"
        elif kind == "atom":
            body = atom_xml(self.text(3), "https://blog.example/", self.items(), feed_id="urn:x")
            content_type = "application/atom+xml"
        else:
            items = [
                {"id": self.random.choice([n, str(n), None, [n]]), "url": item.link,
                 "title": self.random.choice([item.title, item.title + "\ud800"]),
                 "content_html": item.content,
                 "content_text": item.summary, "date_published": item.published,
                 "authors": self.random.choice([[{"name": item.author}], "x", None])}
                for n, item in enumerate(self.items())
            ]  # fmt: skip
            document = {"version": "https://jsonfeed.org/version/1.1", "title": self.text(2),
                        "items": self.random.choice([items, items, {"x": 1}, None])}  # fmt: skip
            body = json.dumps(document, ensure_ascii=self.random.random() < 0.5).encode(
                "utf-8", "surrogatepass"
            )
            content_type = self.random.choice(["application/feed+json", "application/json"])
        if self.random.random() < 0.7:
            body = self.mutate(body)
        return body, content_type

    def page(self) -> tuple[bytes, str]:
        paragraphs = "".join(f"<p>{self.text()}</p>" for _ in range(self.random.randint(0, 4)))
        charset = self.random.choice(["utf-8", "euc-kr", "iso-8859-1", "shift_jis", "nonsense"])
        html = (
            f'<html><head><meta charset="{charset}"><title>{self.text(3)}</title>'
            f'<link rel="canonical" href="{self.random.choice(["m2", "https://x.example/a", ""])}">'
            f"</head><body><article>{paragraphs}</article></body></html>"
        )
        codec = {"euc-kr": "cp949", "nonsense": "utf-8"}.get(charset, charset)
        body = html.encode(codec, "replace")
        if self.random.random() < 0.6:
            body = self.mutate(body)
        content_type = self.random.choice(
            ["text/html; charset=utf-8", "text/html", "text/plain", "text/html; charset=latin1",
             "application/octet-stream", "text/markdown"]
        )  # fmt: skip
        return body, content_type

    def file(self) -> tuple[str, bytes]:
        suffix = self.random.choice([".txt", ".md", ".html", ".htm", ".pdf", "", ".TXT"])
        choice = self.random.random()
        if choice < 0.3:
            data = self.random.randbytes(self.random.choice([0, 1, 3, 50, 600]))
        elif choice < 0.6:
            front = "---\ntitle: 메모\ndate: 2025-13-40\n---\n" if suffix == ".md" else ""
            data = (front + "\n".join(self.text() for _ in range(3))).encode(
                self.random.choice(["utf-8", "utf-16", "cp949"]), "replace"
            )
        else:
            data = self.mutate(self.page()[0])
        return self.random.choice(["메모", "notes", "a" * 300, "../x"]) + suffix, data

    def string(self) -> str:
        return self.random.choice([*WEIRD_STRINGS, self.text(4, surrogates=True)])

    def integer(self) -> int:
        return self.random.choice(WEIRD_INTS)

    def maybe(self, draw: Callable[[], Any]) -> Any:
        return None if self.random.random() < 0.3 else draw()


async def integrity_problems(services: Services) -> list[str]:
    """What would show that something was half stored."""
    database = services.store.database
    problems = []
    unanalysed = await database.fetch_one(
        "SELECT COUNT(*) AS n FROM posts p LEFT JOIN post_analysis a ON a.post_id = p.id"
        " WHERE a.post_id IS NULL"
    )
    if unanalysed and unanalysed["n"]:
        problems.append(f"{unanalysed['n']} posts without their analysis")
    # PostgreSQL enforces foreign keys always and indexes the text in the table itself: the
    # two checks below exist only for SQLite's switchable foreign keys and its FTS table.
    sqlite = database.dialect == "sqlite"
    dangling = await database.fetch_all("PRAGMA foreign_key_check") if sqlite else []
    if dangling:
        problems.append(f"dangling references: {[tuple(row) for row in dangling][:5]}")
    unseen = await database.fetch_one(
        "SELECT COUNT(*) AS n FROM feed_entries e LEFT JOIN posts p ON p.id = e.post_id"
        " WHERE e.post_id IS NOT NULL AND p.id IS NULL"
    )
    if unseen and unseen["n"]:
        problems.append(f"{unseen['n']} feed entries pointing at no post")
    try:
        if sqlite:
            await database.execute(
                "INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1)"
            )
    except Exception as error:
        problems.append(f"full-text index out of step with posts: {error}")
    return problems


def command_cases(
    fuzz: Fuzzer, commands: Commands
) -> list[tuple[str, Callable[[], Awaitable[object]]]]:
    """One call of every command (and autocomplete) with drawn arguments."""
    c, s, i, m = commands, fuzz.string, fuzz.integer, fuzz.maybe
    who = fuzz.random.choice([MODERATOR, MODERATOR, MEMBER])
    return [
        ("summary", lambda: c.summary(who, m(i), m(s), m(i))),
        ("quote", lambda: c.quote(who, m(s), m(s), m(s))),
        ("themes", lambda: c.themes(who, i())),
        ("predictions_list", lambda: c.predictions_list(who, s(), m(s), m(s))),
        ("predictions_show", lambda: c.predictions_show(who, i())),
        ("predictions_add", lambda: c.predictions_add(who, s(), s(), m(s), m(s))),
        ("predictions_resolve", lambda: c.predictions_resolve(who, i(), s(), m(s), m(s))),
        ("predictions_undo", lambda: c.predictions_undo(who, i())),
        ("predictions_redate", lambda: c.predictions_redate(who, i(), s())),
        ("remind_prediction", lambda: c.remind_prediction(who, i(), m(s))),
        ("remind_list", lambda: c.remind_list(who)),
        ("remind_cancel", lambda: c.remind_cancel(who, m(i), m(i))),
        ("digest_now", lambda: c.digest_now(who, m(i))),
        ("digest_schedule", lambda: c.digest_schedule(who, i(), s(), s(), m(s))),
        ("digest_status", lambda: c.digest_status(who)),
        ("digest_off", lambda: c.digest_off(who)),
        ("feed_add", lambda: c.feed_add(who, s(), m(i))),
        ("feed_list", lambda: c.feed_list(who)),
        ("feed_remove", lambda: c.feed_remove(who, i())),
        ("feed_enable", lambda: c.feed_enable(who, i())),
        ("feed_channel", lambda: c.feed_channel(who, i(), m(i))),
        ("ingest_url", lambda: c.ingest_url(who, s())),
        ("ingest_text", lambda: c.ingest_text(who, s(), m(s))),
        ("ingest_file", lambda: c.ingest_file(who, s(), fuzz.file()[1])),
        ("scoreboard", lambda: c.scoreboard(who, s())),
        ("export", lambda: c.export(who)),
        ("settings_timezone", lambda: c.settings_timezone(who, s())),
        ("settings_reminder_channel", lambda: c.settings_reminder_channel(who, i())),
        ("settings_reminder_role", lambda: c.settings_reminder_role(who, m(i))),
        ("settings_language", lambda: c.settings_language(who, s())),
        ("button", lambda: c.button(who, s())),
        ("forecast_guild", lambda: c.forecast_guild(s())),
        ("complete_forecasts", lambda: c.complete_forecasts(GUILD, s())),
        ("complete_posts", lambda: c.complete_posts(GUILD, s())),
        ("complete_themes", lambda: c.complete_themes(GUILD, s())),
        ("complete_sources", lambda: c.complete_sources(GUILD, s())),
    ]


async def test_hostile_input_never_escapes_half_stores_or_stops_the_scheduler(
    tmp_path: Path, store_url: str
) -> None:
    started = time.perf_counter()
    fuzz = Fuzzer(SEED)
    clock = ManualClock(datetime(2025, 12, 15, 9, 0, tzinfo=UTC))
    services = await Services.open(make_settings(tmp_path, database_url=store_url), clock)
    commands = Commands(services)
    transport = RecordingTransport()
    scheduler = services.scheduler(transport)
    escaped: list[str] = []
    ran = 0

    async def run(label: str, call: Callable[[], Awaitable[object]]) -> None:
        nonlocal ran
        ran += 1
        try:
            await call()
        except HindsightError:
            pass
        except Exception as error:  # the defect this test looks for
            where = traceback.extract_tb(error.__traceback__)[-3:]
            frames = " < ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(where))
            escaped.append(f"{label}: {type(error).__name__}: {str(error)[:200]} at {frames}")
        if ran % 50 == 0:
            for problem in await integrity_problems(services):
                escaped.append(f"after {label}: {problem}")

    try:
        async with LocalHTTPServer() as server:
            for number in range(CASES["feed"]):
                body, content_type = fuzz.feed()
                url = server.respond(f"/feed/{number}", body=body, content_type=content_type)
                if number % 3 == 0:
                    await run(
                        f"feed_add {number}", lambda url=url: commands.feed_add(MODERATOR, url, 700)
                    )
                else:
                    await run(
                        f"ingest feed {number}", lambda url=url: commands.ingest_url(MODERATOR, url)
                    )
                if number % 50 == 0:
                    # Feeds already followed change under the poller's feet.
                    for path in range(0, number, 3):
                        server.respond(
                            f"/feed/{path}", body=fuzz.feed()[0], content_type="application/rss+xml"
                        )
                    clock.advance(hours=1)
                    await run("tick", scheduler.tick)
            for number in range(CASES["page"]):
                body, content_type = fuzz.page()
                url = server.respond(f"/page/{number}", body=body, content_type=content_type)
                await run(
                    f"ingest page {number}", lambda url=url: commands.ingest_url(MODERATOR, url)
                )
            for number in range(CASES["file"]):
                filename, data = fuzz.file()
                await run(
                    f"ingest file {number} {filename[:20]}",
                    lambda f=filename, d=data: commands.ingest_file(MODERATOR, f, d),
                )
            for number in range(CASES["text"]):
                text, title = fuzz.text(40, surrogates=True), fuzz.maybe(fuzz.string)
                await run(
                    f"ingest text {number}",
                    lambda t=text, h=title: commands.ingest_text(MODERATOR, t, h),
                )
            for number in range(CASES["command"]):
                name, call = fuzz.random.choice(command_cases(fuzz, commands))
                await run(f"command {number} {name}", call)
                if number % 100 == 0:
                    clock.advance(days=3)
                    await run("tick", scheduler.tick)

            # After all that, the scheduler still ticks and delivers.
            clock.advance(days=1)
            await commands.digest_schedule(MODERATOR, 500, "daily", "09:00", "Asia/Seoul")
            clock.advance(days=1)
            report = await scheduler.tick()
    finally:
        await services.close()

    elapsed = time.perf_counter() - started
    assert escaped == [], "\n".join(escaped[:400])
    assert ran >= 2000
    assert any(queued.guild_id == GUILD for queued in report.digests) or transport.kinds()
    assert elapsed < TIME_BUDGET_SECONDS, f"the fuzz run took {elapsed:.0f} s"
