"""Build a guild's digest for a period from the store (read-only, every query scoped by guild)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digests.analysis.summary import repeats_title
from digests.digest.model import (
    Digest,
    DigestPost,
    QuoteItem,
    ScoreItem,
    ThemeTrend,
)
from digests.ledger.model import ForecastRecord
from digests.ledger.naming import named_sources
from digests.settings import Settings
from digests.store import Store

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DigestLimits:
    """How much of each section a digest carries (counts are always complete)."""

    posts: int = 10
    themes: int = 8
    forecasts: int = 10  # per forecast section: new, coming due, overdue, resolved
    scoreboard: int = 3
    history_periods: int = 6
    history_themes: int = 5
    quote_candidates: int = 5


def _require_aware(name: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


async def _counts_for(
    store: Store, guild_id: int, start: datetime, end: datetime, labels: list[str]
) -> dict[str, int]:
    """Posts carrying each of `labels` in [start, end) (exact, however rare the label was)."""
    if not labels:
        return {}
    found = await store.analysis.theme_counts_for(guild_id, labels, start, end)
    return {label: found.get(label, 0) for label in labels}


async def theme_trends(
    store: Store, guild_id: int, start: datetime, end: datetime, limit: int = 10
) -> list[ThemeTrend]:
    """The guild's top themes in [start, end), each with its count in the previous period of equal
    length ([start - (end - start), start)); most posts first, then by label."""
    _require_aware("start", start)
    _require_aware("end", end)
    if end <= start or limit <= 0:
        return []
    current = await store.analysis.theme_counts(guild_id, start, end, limit=limit)
    previous = await _counts_for(
        store, guild_id, start - (end - start), start, [row.label for row in current]
    )
    return [
        ThemeTrend(
            label=row.label,
            count=row.posts,
            previous=previous.get(row.label, 0),
            change=row.posts - previous.get(row.label, 0),
            is_new=previous.get(row.label, 0) == 0,
        )
        for row in current
    ]


def _first_sentence(summary: list[str] | None, title: str | None = None) -> str | None:
    """The summary's first line that does not just say the title again."""
    for sentence in summary or []:
        if sentence and sentence.strip() and not repeats_title(sentence, title):
            return " ".join(sentence.split())
    return None


def period_label(start: datetime, end: datetime, zone: ZoneInfo, *, with_year: bool) -> str:
    """A short label for a period in a chart: its local start date (and time for short periods)."""
    local = start.astimezone(zone)
    if end - start < timedelta(days=1):
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%Y-%m-%d" if with_year else "%m-%d")


class DigestBuilder:
    """Collects a digest's sections for one guild and one period."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self._store = store
        self._settings = settings
        # The all-time track record is the costliest section and changes only with verdicts.
        self._scoreboards: dict[
            tuple[int, int], tuple[tuple[int, int | None], list[ScoreItem]]
        ] = {}

    async def timezone_of(self, guild_id: int) -> str:
        """The guild's timezone name (the bot's default when unset or unknown)."""
        return self._timezone((await self._store.guilds.get(guild_id)).timezone)

    def _timezone(self, configured: str | None) -> str:
        """A configured timezone name if it is a known one, else the bot's default."""
        if configured:
            try:
                ZoneInfo(configured)
            except (ZoneInfoNotFoundError, ValueError):
                pass
            else:
                return configured
        return self._settings.default_timezone

    async def language_of(self, guild_id: int) -> str:
        """The guild's language for digests ("en" unless it chose another)."""
        return (await self._store.guilds.get(guild_id)).language or "en"

    async def build(
        self,
        guild_id: int,
        start: datetime,
        end: datetime,
        *,
        coming_days: int = 14,
        catch_up: bool = False,
        now: datetime | None = None,
        limits: DigestLimits | None = None,
    ) -> Digest:
        """The digest of [start, end). "Coming due" is [now, now + coming_days) and "overdue" is as of
        `now` (default: `end`)."""
        _require_aware("start", start)
        _require_aware("end", end)
        if end <= start:
            raise ValueError("a digest needs start < end")
        if coming_days < 0:
            raise ValueError("coming_days must not be negative")
        now = now or end
        _require_aware("now", now)
        limits = limits or DigestLimits()
        store = self._store
        # One read of the guild's settings for both its timezone and its language.
        guild = await store.guilds.get(guild_id)
        timezone = self._timezone(guild.timezone)

        posts = await self._posts(guild_id, start, end, limits.posts)
        post_count = await store.posts.count_between(guild_id, start, end)
        themes = await theme_trends(store, guild_id, start, end, limits.themes)

        # Tracked forecasts only: undated views and forecasts waiting for their post's date
        # have no window to report on.
        new_forecasts = await store.ledger.between(
            guild_id, "created_ts", start, end, limit=limits.forecasts, dated_only=True
        )
        new_forecast_count = await store.ledger.count_between(
            guild_id, "created_ts", start, end, dated_only=True
        )
        coming_due = await store.ledger.between(
            guild_id,
            "due_ts",
            now,
            now + timedelta(days=coming_days),
            status="open",
            limit=limits.forecasts,
        )
        overdue, overdue_count = await self._overdue(guild_id, now, limits.forecasts)
        resolved = await store.ledger.between(
            guild_id, "resolved_ts", start, end, status="resolved", limit=limits.forecasts
        )
        quote = await self._quote(guild_id, start, end, limits.quote_candidates)
        scoreboard = await self._scoreboard(guild_id, limits.scoreboard)
        history = await self._theme_history(guild_id, start, end, timezone, themes, limits)
        return Digest(
            guild_id=guild_id,
            start=start,
            end=end,
            timezone=timezone,
            catch_up=catch_up,
            posts=posts,
            post_count=post_count,
            themes=themes,
            new_forecasts=new_forecasts,
            new_forecast_count=new_forecast_count,
            coming_due=coming_due,
            coming_days=coming_days,
            overdue=overdue,
            overdue_count=overdue_count,
            resolved=resolved,
            quote=quote,
            scoreboard=scoreboard,
            theme_history=history,
            as_of=now,
            language=guild.language or "en",
        )

    async def _posts(
        self, guild_id: int, start: datetime, end: datetime, limit: int
    ) -> list[DigestPost]:
        if limit <= 0:
            return []
        stored = await self._store.posts.list(guild_id, since=start, until=end, limit=limit)
        # The page's summaries in one query, not one per post.
        summaries = await self._store.analysis.summaries(guild_id, [post.id for post in stored])
        posts = []
        for post in stored:
            summary = summaries.get(post.id)
            posts.append(
                DigestPost(
                    post_id=post.id,
                    title=post.title,
                    source=post.source,
                    url=post.canonical_url,
                    author=post.author,
                    published=post.published,
                    summary=_first_sentence(summary, post.title),
                )
            )
        return posts

    async def _scoreboard(self, guild_id: int, limit: int) -> list[ScoreItem]:
        marker = await self._store.track_record.verdict_marker(guild_id)
        cached = self._scoreboards.get((guild_id, limit))
        if cached is not None and cached[0] == marker:
            return cached[1]
        rows = await named_sources(
            await self._store.track_record.rows(guild_id, "source", limit=limit),
            lambda sources: self._store.posts.titles_by_source(guild_id, sources),
        )
        scoreboard = [
            ScoreItem(row.key, row.resolved, row.share_correct, row.brier) for row in rows
        ]
        self._scoreboards[(guild_id, limit)] = (marker, scoreboard)
        return scoreboard

    async def build_themes(self, guild_id: int, start: datetime, end: datetime) -> Digest:
        """Only the theme sections of a digest (trends and their history), for /themes."""
        _require_aware("start", start)
        _require_aware("end", end)
        if end <= start:
            raise ValueError("a digest needs start < end")
        limits = DigestLimits()
        timezone = await self.timezone_of(guild_id)
        themes = await theme_trends(self._store, guild_id, start, end, limits.themes)
        history = await self._theme_history(guild_id, start, end, timezone, themes, limits)
        return Digest(
            guild_id=guild_id,
            start=start,
            end=end,
            timezone=timezone,
            catch_up=False,
            posts=[],
            post_count=await self._store.posts.count_between(guild_id, start, end),
            themes=themes,
            new_forecasts=[],
            new_forecast_count=0,
            coming_due=[],
            coming_days=0,
            overdue=[],
            overdue_count=0,
            resolved=[],
            quote=None,
            scoreboard=[],
            theme_history=history,
            as_of=end,
            language=await self.language_of(guild_id),
        )

    async def _overdue(
        self, guild_id: int, now: datetime, limit: int
    ) -> tuple[list[ForecastRecord], int]:
        """Forecasts awaiting a verdict: marked due by the reminder sweep, plus open ones whose
        window closed before `now` that the sweep has not reached yet; longest waiting first."""
        ledger = self._store.ledger
        marked = await ledger.awaiting_verdict(guild_id, limit=limit)
        unmarked = await ledger.between(guild_id, "due_ts", _EPOCH, now, status="open", limit=limit)
        count = await ledger.count_overdue(guild_id, now)
        waiting = sorted(
            marked + unmarked,
            key=lambda record: (record.due_at or now, record.id),
        )
        return waiting[:limit], count

    async def _quote(
        self, guild_id: int, start: datetime, end: datetime, candidates: int
    ) -> QuoteItem | None:
        """The period's first quote (the store lists attributed, readable-length quotes first)."""
        rows = await self._store.analysis.quotes_between(
            guild_id, start, end, limit=max(1, candidates)
        )
        for row in rows:
            text = " ".join(row.text.split())
            if text:
                return QuoteItem(
                    text=text, speaker=row.speaker, post_title=row.post_title, url=row.source_url
                )
        return None

    async def _theme_history(
        self,
        guild_id: int,
        start: datetime,
        end: datetime,
        timezone: str,
        themes: list[ThemeTrend],
        limits: DigestLimits,
    ) -> list[tuple[str, dict[str, int]]]:
        """The top themes' counts over recent periods (the chart's first panel)."""
        return await self._history(
            guild_id,
            start,
            end,
            ZoneInfo(timezone),
            [trend.label for trend in themes[: limits.history_themes]],
            {trend.label: trend.count for trend in themes},
            {trend.label: trend.previous for trend in themes},
            limits.history_periods,
        )

    async def _history(
        self,
        guild_id: int,
        start: datetime,
        end: datetime,
        zone: ZoneInfo,
        labels: list[str],
        current: dict[str, int],
        previous: dict[str, int],
        periods: int,
    ) -> list[tuple[str, dict[str, int]]]:
        """Counts of the top themes over the last `periods` periods of the same length, oldest
        first; leading periods without any post (before the guild had posts) are left out."""
        if not labels or periods <= 0:
            return []
        length = end - start
        bounds = [(end - length * (i + 1), end - length * i) for i in reversed(range(periods))]
        with_year = bounds[0][0].astimezone(zone).year != bounds[-1][0].astimezone(zone).year
        # The periods before the previous one are counted in one query (the current and the
        # previous period's counts are known already).
        older = bounds[:-2]
        older_counts = (
            await self._store.analysis.theme_counts_in_periods(
                guild_id, labels, [older[0][0], *(period_end for _, period_end in older)]
            )
            if older
            else []
        )
        history: list[tuple[str, dict[str, int]]] = []
        for index, (period_start, period_end) in enumerate(bounds):
            back = len(bounds) - 1 - index
            if back == 0:
                counts = {label: current.get(label, 0) for label in labels}
            elif back == 1:
                counts = {label: previous.get(label, 0) for label in labels}
            else:
                counts = older_counts[index]
            if (
                not history
                and not any(counts.values())
                and not await self._store.posts.count_between(guild_id, period_start, period_end)
            ):
                continue
            history.append(
                (period_label(period_start, period_end, zone, with_year=with_year), counts)
            )
        return history
