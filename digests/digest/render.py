"""Render a digest as terminal text or Discord-compatible Markdown, and to/from JSON.

Rules: the covered range is shown in the guild's timezone; a catch-up digest says which range it
covers; empty sections are left out; an empty period is exactly one line. In Markdown, text that
came from posts is whitespace-collapsed, clipped, Markdown-escaped and defanged so it can never
ping anyone or inject formatting.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digests.digest.model import (
    Digest,
    DigestPost,
    QuoteItem,
    ScoreItem,
    ThemeTrend,
)
from digests.i18n import catalog
from digests.ledger.model import ForecastRecord, forecast_from_json, forecast_to_json
from digests.ledger.naming import MANUAL_SOURCE, is_link

ZERO_WIDTH_SPACE = "\u200b"
ELLIPSIS = "…"

TITLE_WIDTH = 90
CLAIM_WIDTH = 160
SUMMARY_WIDTH = 220
QUOTE_WIDTH = 240
LABEL_WIDTH = 48

_MENTION = re.compile(r"@(?=everyone|here)|<(?=[@#])", re.IGNORECASE)
_MARKDOWN = re.compile(r"([\\*_~`|\[\]])")


@dataclass(frozen=True)
class DigestStrings:
    """Every word a rendered digest uses, in one language (`str.format` templates)."""

    title: str  # the message title a digest is posted under
    heading: str  # {dates} {zone}
    catch_up_heading: str  # {dates} {zone}
    nothing_happened: str  # follows the heading in an empty period's single line
    untitled: str
    new_posts: str  # {count}
    top_themes: str
    new_forecasts: str  # {count}
    coming_due: str  # {days}: a span such as "14 days"
    overdue: str  # {count}
    recently_resolved: str
    quote: str
    scoreboard: str
    more: str  # {count}
    due: str  # {date}
    no_date: str
    due_in: str  # {span}, appended to `due`
    overdue_by: str  # {span}, appended to `due`
    resolved: str  # an outcome without a label of its own
    outcomes: dict[str, str]
    share_correct: str  # {percent}
    resolved_count: str  # {count}
    brier: str  # {value}
    quote_source: str  # {title}
    new_theme: str
    manual_source: str  # the scoreboard's name for forecasts typed in without a link
    # unit → (singular, plural) templates of {count}
    units: dict[str, tuple[str, str]]


_UNITS = ("hour", "day", "week", "month", "post")
_OUTCOMES = ("correct", "wrong", "partly", "unknown", "withdrawn")


@functools.cache
def strings_for(language: str | None) -> DigestStrings:
    """The wording for a language, from its message catalog (English for anything else)."""
    words = catalog(language or "en")
    plain = {
        field.name: words(f"digest.{field.name}")
        for field in dataclasses.fields(DigestStrings)
        if field.name not in ("outcomes", "units")
    }
    return DigestStrings(
        **plain,
        outcomes={name: words(f"digest.outcome.{name}") for name in _OUTCOMES},
        units={
            unit: (words.raw(f"digest.unit.{unit}.one"), words.raw(f"digest.unit.{unit}.many"))
            for unit in _UNITS
        },
    )


OUTCOME_LABELS = strings_for("en").outcomes


# --- small public helpers ----------------------------------------------------------------------


def defang(text: str) -> str:
    """Make `@everyone`, `@here`, `<@user>`, `<@!user>`, `<@&role>` and `<#channel>` inert in
    Discord by putting a zero-width space after the '@' or '<'. Idempotent."""
    return _MENTION.sub(lambda match: match.group(0) + ZERO_WIDTH_SPACE, text)


def clip(text: str, width: int) -> str:
    """Collapse whitespace and cut to at most `width` characters, ending with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)].rstrip() + ELLIPSIS


def escape_markdown(text: str) -> str:
    """Backslash-escape the characters Discord Markdown would interpret inside a line."""
    return _MARKDOWN.sub(r"\\\1", text)


def format_range(start: datetime, end: datetime, timezone: str) -> str:
    """The covered range, e.g. `2025-12-08 – 2025-12-15 (Asia/Seoul)`; with times of day when
    the range does not fall on local midnights."""
    return f"{_dates(start, end, timezone)} ({timezone})"


def _dates(start: datetime, end: datetime, timezone: str) -> str:
    zone = _zone(timezone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    midnight = all(
        (moment.hour, moment.minute, moment.second) == (0, 0, 0)
        for moment in (local_start, local_end)
    )
    pattern = "%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M"
    return f"{local_start.strftime(pattern)} – {local_end.strftime(pattern)}"


def digest_title(digest: Digest) -> str:
    """The title a digest message is posted under, in the digest's language."""
    return strings_for(digest.language).title


def heading(digest: Digest) -> str:
    """The digest's title line (plain text), in the digest's language."""
    words = strings_for(digest.language)
    template = words.catch_up_heading if digest.catch_up else words.heading
    return template.format(
        dates=_dates(digest.start, digest.end, digest.timezone), zone=digest.timezone
    )


def empty_line(digest: Digest) -> str:
    """The single line an empty period renders as (plain text)."""
    return heading(digest) + strings_for(digest.language).nothing_happened


# --- shared wording ----------------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def source_name(source: str | None) -> str | None:
    """A short name for where a post came from: a URL's host, a file's name, or the text as is."""
    if not source:
        return None
    source = " ".join(source.split())
    if re.match(r"^https?://", source, re.IGNORECASE):
        host = urlsplit(source).hostname or source
        return host.removeprefix("www.")
    if "/" in source or "\\" in source:
        return PurePath(source.replace("\\", "/")).name or source
    return source


def trend_marker(trend: ThemeTrend, language: str | None = "en") -> str:
    """How a theme moved against the previous period: "new", "▲3", "▼1" or "="."""
    return _trend(trend, strings_for(language))


def _trend(trend: ThemeTrend, words: DigestStrings) -> str:
    if trend.is_new:
        return words.new_theme
    if trend.change > 0:
        return f"▲{trend.change}"
    if trend.change < 0:
        return f"▼{-trend.change}"
    return "="


def _plural(count: int, unit: str, words: DigestStrings) -> str:
    singular, plural = words.units[unit]
    return (singular if count == 1 else plural).format(count=count)


def _span(delta: timedelta, words: DigestStrings) -> str:
    """A rough human length: "5 h", "3 days", "5 weeks", "4 months"."""
    seconds = max(0, int(delta.total_seconds()))
    days = seconds // 86400
    if days == 0:
        return _plural(max(1, seconds // 3600), "hour", words)
    if days < 35:
        return _plural(days, "day", words)
    if days < 120:
        return _plural(days // 7, "week", words)
    return _plural(days // 30, "month", words)


def _due_date(item: ForecastRecord) -> str | None:
    return item.due_end.isoformat() if item.due_end else None


def _probability(item: ForecastRecord) -> str | None:
    return f"{round(item.probability * 100)}%" if item.probability is not None else None


def _forecast_source(item: ForecastRecord) -> str | None:
    return item.source_label or source_name(item.source_url)


def _share(item: ScoreItem, words: DigestStrings) -> str:
    parts = [words.resolved_count.format(count=item.resolved)]
    if item.share_correct is not None:
        parts.insert(0, words.share_correct.format(percent=round(item.share_correct * 100)))
    if item.brier is not None:
        parts.append(words.brier.format(value=item.brier))
    return ", ".join(parts)


class _Writer:
    """Shared section layout; subclasses decide how untrusted text and emphasis look."""

    def __init__(self, digest: Digest) -> None:
        self.digest = digest
        self.words = strings_for(digest.language)

    # hooks
    def text(self, value: str, width: int) -> str:
        raise NotImplementedError

    def title_line(self, value: str) -> str:
        raise NotImplementedError

    def section(self, name: str) -> str:
        raise NotImplementedError

    def bullet(self, value: str) -> str:
        raise NotImplementedError

    def detail(self, value: str) -> str:
        raise NotImplementedError

    def post_title(self, post: DigestPost) -> str:
        return self.text(post.title or self.words.untitled, TITLE_WIDTH)

    def quote_line(self, quote: QuoteItem) -> list[str]:
        raise NotImplementedError

    # layout
    def render(self) -> str:
        digest = self.digest
        if digest.is_empty:
            return self.empty()
        blocks = [[self.title_line(heading(digest))]]
        for section in (
            self.posts,
            self.themes,
            self.new_forecasts,
            self.coming_due,
            self.overdue,
            self.resolved,
            self.quote,
            self.scoreboard,
        ):
            lines = section()
            if lines:
                blocks.append(lines)
        return "\n\n".join("\n".join(block) for block in blocks)

    def empty(self) -> str:
        raise NotImplementedError

    def more(self, value: str) -> str:
        raise NotImplementedError

    def _more(self, shown: int, total: int) -> list[str]:
        return [self.more(self.words.more.format(count=total - shown))] if total > shown else []

    def posts(self) -> list[str]:
        digest = self.digest
        if not digest.posts:
            return []
        lines = [self.section(self.words.new_posts.format(count=digest.post_count))]
        for post in digest.posts:
            # A link's site follows the title; a file is named by its title alone (never a
            # path on the server's disk, and its file name adds nothing to the title).
            source = source_name(post.source) if is_link(post.source) else None
            line = self.post_title(post)
            if source:
                line += f" — {self.text(source, LABEL_WIDTH)}"
            lines.append(self.bullet(line))
            if post.summary:
                lines.append(self.detail(self.text(post.summary, SUMMARY_WIDTH)))
        return lines + self._more(len(digest.posts), digest.post_count)

    def themes(self) -> list[str]:
        if not self.digest.themes:
            return []
        lines = [self.section(self.words.top_themes)]
        for trend in self.digest.themes:
            lines.append(
                self.bullet(
                    f"{self.text(trend.label, LABEL_WIDTH)}:"
                    f" {_plural(trend.count, 'post', self.words)} ({_trend(trend, self.words)})"
                )
            )
        return lines

    def _forecast(self, item: ForecastRecord, *extra: str | None) -> str:
        meta = [
            self.text(item.speaker, LABEL_WIDTH) if item.speaker else None,
            self.text(source, LABEL_WIDTH) if (source := _forecast_source(item)) else None,
            *extra,
            _probability(item),
        ]
        tail = " · ".join(part for part in meta if part)
        claim = self.text(item.claim, CLAIM_WIDTH)
        return self.bullet(f"{claim} — {tail}" if tail else claim)

    def new_forecasts(self) -> list[str]:
        digest = self.digest
        if not digest.new_forecasts:
            return []
        lines = [self.section(self.words.new_forecasts.format(count=digest.new_forecast_count))]
        for item in digest.new_forecasts:
            due = _due_date(item)
            lines.append(
                self._forecast(item, self.words.due.format(date=due) if due else self.words.no_date)
            )
        return lines + self._more(len(digest.new_forecasts), digest.new_forecast_count)

    def coming_due(self) -> list[str]:
        digest = self.digest
        if not digest.coming_due:
            return []
        words = self.words
        days = _plural(digest.coming_days, "day", words)
        lines = [self.section(words.coming_due.format(days=days))]
        for item in digest.coming_due:
            due = words.due.format(date=_due_date(item))
            if item.due_at:
                due += words.due_in.format(span=_span(item.due_at - digest.reference_time, words))
            lines.append(self._forecast(item, due))
        return lines

    def overdue(self) -> list[str]:
        digest = self.digest
        if not digest.overdue:
            return []
        words = self.words
        lines = [self.section(words.overdue.format(count=digest.overdue_count))]
        for item in digest.overdue:
            due = words.due.format(date=_due_date(item))
            if item.due_at:
                due += words.overdue_by.format(
                    span=_span(digest.reference_time - item.due_at, words)
                )
            lines.append(self._forecast(item, due))
        return lines + self._more(len(digest.overdue), digest.overdue_count)

    def resolved(self) -> list[str]:
        if not self.digest.resolved:
            return []
        words = self.words
        lines = [self.section(words.recently_resolved)]
        for item in self.digest.resolved:
            outcome = words.outcomes.get(item.outcome or "", item.outcome or words.resolved)
            lines.append(self._forecast(item, self.emphasis(outcome)))
        return lines

    def emphasis(self, value: str) -> str:
        return value

    def quote(self) -> list[str]:
        if not self.digest.quote:
            return []
        return [self.section(self.words.quote), *self.quote_line(self.digest.quote)]

    def scoreboard(self) -> list[str]:
        if not self.digest.scoreboard:
            return []
        lines = [self.section(self.words.scoreboard)]
        for item in self.digest.scoreboard:
            # Links by their site; files already by their title (digests.ledger.naming).
            key = (
                self.words.manual_source
                if item.key == MANUAL_SOURCE
                else (source_name(item.key) if is_link(item.key) else item.key) or item.key
            )
            lines.append(self.bullet(f"{self.text(key, LABEL_WIDTH)}: {_share(item, self.words)}"))
        return lines


class _TextWriter(_Writer):
    def text(self, value: str, width: int) -> str:
        return clip(value, width)

    def title_line(self, value: str) -> str:
        return value

    def section(self, name: str) -> str:
        return name

    def bullet(self, value: str) -> str:
        return f"  • {value}"

    def detail(self, value: str) -> str:
        return f"    {value}"

    def more(self, value: str) -> str:
        return f"  {value}"

    def quote_line(self, quote: QuoteItem) -> list[str]:
        line = f"  “{clip(quote.text, QUOTE_WIDTH)}”"
        credit = [clip(part, LABEL_WIDTH) for part in (quote.speaker,) if part]
        if quote.post_title:
            credit.append(self.words.quote_source.format(title=clip(quote.post_title, TITLE_WIDTH)))
        return [line + (f" — {', '.join(credit)}" if credit else "")]

    def empty(self) -> str:
        return empty_line(self.digest)


def _safe_url(url: str | None) -> str | None:
    if not url or not re.match(r"^https?://[^\s<>]+$", url, re.IGNORECASE):
        return None
    return url.replace("(", "%28").replace(")", "%29")


class _MarkdownWriter(_Writer):
    def text(self, value: str, width: int) -> str:
        return defang(escape_markdown(clip(value, width)))

    def title_line(self, value: str) -> str:
        return f"**{value}**"

    def section(self, name: str) -> str:
        return f"**{name}**"

    def bullet(self, value: str) -> str:
        return f"- {value}"

    def detail(self, value: str) -> str:
        return f"  {value}"

    def more(self, value: str) -> str:
        return f"*{value}*"

    def emphasis(self, value: str) -> str:
        return f"**{value}**"

    def post_title(self, post: DigestPost) -> str:
        title = super().post_title(post)
        url = _safe_url(post.url)
        # <url> inside the link keeps Discord from unfurling every post.
        return f"[{title}](<{url}>)" if url else f"**{title}**"

    def quote_line(self, quote: QuoteItem) -> list[str]:
        line = f"> “{self.text(quote.text, QUOTE_WIDTH)}”"
        credit = [self.text(quote.speaker, LABEL_WIDTH)] if quote.speaker else []
        if quote.post_title:
            title = self.text(quote.post_title, TITLE_WIDTH)
            url = _safe_url(quote.url)
            linked = f"[{title}](<{url}>)" if url else f"*{title}*"
            credit.append(self.words.quote_source.format(title=linked))
        return [line + (f" — {', '.join(credit)}" if credit else "")]

    def empty(self) -> str:
        return f"**{heading(self.digest)}**{self.words.nothing_happened}"


def render_text(digest: Digest) -> str:
    """The digest as plain text for a terminal (no trailing newline)."""
    return _TextWriter(digest).render()


def render_markdown(digest: Digest) -> str:
    """The digest as Discord-compatible Markdown: **bold** headings, bullet lists, no tables.
    Text from posts is escaped and defanged. May exceed Discord's 2000-character message limit;
    the sender splits on blank lines (between sections)."""
    return _MarkdownWriter(digest).render()


# --- JSON --------------------------------------------------------------------------------------


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def to_json(digest: Digest) -> dict[str, Any]:
    """A JSON-ready dict (datetimes and dates as ISO strings); `from_json` reverses it exactly."""
    return {
        "guild_id": digest.guild_id,
        "start": _dt(digest.start),
        "end": _dt(digest.end),
        "timezone": digest.timezone,
        "catch_up": digest.catch_up,
        "posts": [
            {
                "post_id": post.post_id,
                "title": post.title,
                "source": post.source,
                "url": post.url,
                "author": post.author,
                "published": _dt(post.published),
                "summary": post.summary,
            }
            for post in digest.posts
        ],
        "post_count": digest.post_count,
        "themes": [
            {
                "label": trend.label,
                "count": trend.count,
                "previous": trend.previous,
                "change": trend.change,
                "is_new": trend.is_new,
            }
            for trend in digest.themes
        ],
        "new_forecasts": [forecast_to_json(item) for item in digest.new_forecasts],
        "new_forecast_count": digest.new_forecast_count,
        "coming_due": [forecast_to_json(item) for item in digest.coming_due],
        "coming_days": digest.coming_days,
        "overdue": [forecast_to_json(item) for item in digest.overdue],
        "overdue_count": digest.overdue_count,
        "resolved": [forecast_to_json(item) for item in digest.resolved],
        "quote": (
            {
                "text": digest.quote.text,
                "speaker": digest.quote.speaker,
                "post_title": digest.quote.post_title,
                "url": digest.quote.url,
            }
            if digest.quote
            else None
        ),
        "scoreboard": [
            {
                "key": item.key,
                "resolved": item.resolved,
                "share_correct": item.share_correct,
                "brier": item.brier,
            }
            for item in digest.scoreboard
        ],
        "theme_history": [[label, dict(counts)] for label, counts in digest.theme_history],
        "as_of": _dt(digest.as_of),
        "language": digest.language,
    }


def _list(data: dict[str, Any], key: str, build: Callable[[dict[str, Any]], Any]) -> list[Any]:
    return [build(item) for item in data.get(key) or []]


def from_json(data: dict[str, Any]) -> Digest:
    """The Digest `to_json` produced."""
    start, end = _parse_dt(data["start"]), _parse_dt(data["end"])
    if start is None or end is None:
        raise ValueError("a digest needs start and end")
    quote = data.get("quote")
    guild_id = int(data["guild_id"])

    def forecast(item: dict[str, Any]) -> ForecastRecord:
        return forecast_from_json(item, guild_id=guild_id)

    return Digest(
        guild_id=guild_id,
        start=start,
        end=end,
        timezone=data["timezone"],
        catch_up=bool(data["catch_up"]),
        posts=_list(
            data,
            "posts",
            lambda post: DigestPost(
                post_id=int(post["post_id"]),
                title=post["title"],
                source=post["source"],
                url=post.get("url"),
                author=post.get("author"),
                published=_parse_dt(post.get("published")),
                summary=post.get("summary"),
            ),
        ),
        post_count=int(data["post_count"]),
        themes=_list(
            data,
            "themes",
            lambda trend: ThemeTrend(
                label=trend["label"],
                count=int(trend["count"]),
                previous=int(trend["previous"]),
                change=int(trend["change"]),
                is_new=bool(trend["is_new"]),
            ),
        ),
        new_forecasts=_list(data, "new_forecasts", forecast),
        new_forecast_count=int(data["new_forecast_count"]),
        coming_due=_list(data, "coming_due", forecast),
        coming_days=int(data["coming_days"]),
        overdue=_list(data, "overdue", forecast),
        overdue_count=int(data["overdue_count"]),
        resolved=_list(data, "resolved", forecast),
        quote=(
            QuoteItem(
                text=quote["text"],
                speaker=quote.get("speaker"),
                post_title=quote.get("post_title"),
                url=quote.get("url"),
            )
            if quote
            else None
        ),
        scoreboard=_list(
            data,
            "scoreboard",
            lambda item: ScoreItem(
                key=item["key"],
                resolved=int(item["resolved"]),
                share_correct=item.get("share_correct"),
                brier=item.get("brier"),
            ),
        ),
        theme_history=[
            (str(label), {str(k): int(v) for k, v in counts.items()})
            for label, counts in data.get("theme_history") or []
        ],
        as_of=_parse_dt(data.get("as_of")),
        language=str(data.get("language") or "en"),
    )
