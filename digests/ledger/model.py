"""The one shape of a forecast in a guild's ledger, and the one place it is made.

`ForecastRecord` is what the store reads and writes, what the ledger, the reminder sweep, the
commands and the digests pass around. A forecast is only ever made by `forecast_from_analysis`
(found in a post) or `manual_forecast` (typed by a member): both compute its fingerprint with
`forecast_fingerprint` and its due moment with `digests.dates.due_moment` in the guild's
timezone, so the same due date closes at the same instant however the forecast got there.

The digest's JSON carries forecasts as `forecast_to_json`, derived field by field from the record,
and reads them back with `forecast_from_json`.

The analysis' own `digests.analysis.forecasts.Forecast` (what the extractor found in a sentence,
before any guild or ledger exists) and its `analyze --json` contract stay the analysis' business.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from digests.dates import due_moment

if TYPE_CHECKING:
    from digests.analysis.forecasts import Forecast

ORIGINS = ("analysis", "manual")
RECORD_STATUSES = ("open", "due", "resolved")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class ForecastRecord:
    """A forecast of a guild's ledger. Before it is stored, `id`, `created_at` and `updated_at`
    are None; everything the store reads back has them."""

    guild_id: int
    origin: str  # "analysis" (found in a post) or "manual" (typed by a member)
    fingerprint: str  # the same forecast found again keeps its row (see forecast_fingerprint)
    sentence: str  # what was said, verbatim
    claim: str  # what is forecast
    kind: str
    hedge: str
    confidence: float
    speaker: str | None = None
    timex: str | None = None  # the words that dated it
    due_start: date | None = None
    due_end: date | None = None  # the last day of its window; None: undated or needs_date
    due_at: datetime | None = None  # when the window closes: due_moment(due_end, guild zone)
    granularity: str | None = None
    probability: float | None = None
    post_id: int | None = None
    source_label: str | None = None
    source_url: str | None = None
    author: str | None = None
    added_by: int | None = None
    status: str = "open"  # open → due (window closed) → resolved
    outcome: str | None = None
    resolved_by: int | None = None
    resolved_at: datetime | None = None
    evidence: str | None = None
    note: str | None = None
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # The window is counted from its post's date, which is unknown: the time expression is
    # kept, the window and due moment stay empty until the post is dated.
    needs_date: bool = False

    def __post_init__(self) -> None:
        for name in ("due_at", "resolved_at", "created_at", "updated_at"):
            moment = getattr(self, name)
            if moment is not None and moment.utcoffset() is None:
                raise ValueError(f"ForecastRecord.{name} must be timezone-aware")
        if (self.due_end is None) != (self.due_at is None):
            raise ValueError("a forecast has both a due date and a due moment, or neither")
        if self.needs_date and (self.due_start, self.due_end) != (None, None):
            raise ValueError("a forecast that needs its post's date has no window yet")
        if self.origin not in ORIGINS:
            raise ValueError(f"unknown forecast origin {self.origin!r}")
        if self.status not in RECORD_STATUSES:
            raise ValueError(f"unknown forecast status {self.status!r}")

    @property
    def is_view(self) -> bool:
        """An undated statement ("…될 것 같다"): kept with its post, not tracked, until a member
        gives it a date."""
        return self.due_end is None and not self.needs_date


def forecast_fingerprint(scope: str, sentence: str, timex: str | None) -> str:
    """A stable identity for a forecast: the same sentence and time expression in the same post
    is the same forecast, whatever the extractor now says about its window."""
    normalised = _SPACES.sub(" ", sentence).strip().casefold()
    digest = hashlib.sha256(f"{normalised}\x1f{timex or ''}".encode()).hexdigest()[:16]
    return f"{scope}:{digest}"


def forecast_from_analysis(
    found: Forecast,
    *,
    guild_id: int,
    post_id: int,
    source_label: str | None,
    source_url: str | None,
    author: str | None,
    zone: tzinfo,
    needs_date: bool = False,
) -> ForecastRecord:
    """The ledger's record of a forecast found in a stored post; `zone` is the guild's. One
    that `needs_date` (its window is counted from the post's unknown date) keeps its time
    expression but gets no window and no due moment: nothing is scheduled on a guessed date."""
    due_start, due_end = (None, None) if needs_date else (found.due_start, found.due_end)
    return ForecastRecord(
        guild_id=guild_id,
        origin="analysis",
        fingerprint=forecast_fingerprint(f"post{post_id}", found.text, found.timex),
        sentence=found.text,
        claim=found.claim,
        kind=found.kind,
        hedge=found.hedge,
        confidence=found.confidence,
        speaker=found.speaker,
        timex=found.timex,
        due_start=due_start,
        due_end=due_end,
        due_at=due_moment(due_end, zone) if due_end else None,
        granularity=found.granularity,
        post_id=post_id,
        source_label=source_label,
        source_url=source_url,
        author=author,
        needs_date=needs_date,
    )


def manual_forecast(
    *,
    guild_id: int,
    user_id: int,
    claim: str,
    typed_due: str,
    today: date,
    due_end: date,
    zone: tzinfo,
    now: datetime,
    probability: float | None = None,
    source: str | None = None,
    author: str | None = None,
) -> ForecastRecord:
    """The ledger's record of a forecast a member typed in (due `due_end`, read from
    `typed_due` on `today`, the guild's date); `zone` is the guild's."""
    return ForecastRecord(
        guild_id=guild_id,
        origin="manual",
        fingerprint=forecast_fingerprint(
            f"manual{user_id}", f"{claim}\x1f{now.isoformat()}", typed_due
        ),
        sentence=claim,
        claim=claim,
        kind="outlook",
        hedge="certain" if probability is None else "likely",
        confidence=1.0,
        timex=typed_due,
        due_start=today,
        due_end=due_end,
        due_at=due_moment(due_end, zone),
        granularity="day",
        probability=probability,
        source_label=source,
        source_url=source,
        author=author or f"<@{user_id}>",
        added_by=user_id,
    )


# --- JSON (the digest's stored form) ------------------------------------------------------------

_DATE_FIELDS = frozenset({"due_start", "due_end"})
_MOMENT_FIELDS = frozenset({"due_at", "resolved_at", "created_at", "updated_at"})
# What a digest queued by an earlier version carried for each forecast, under other names.
_LEGACY_DIGEST_KEYS = {"forecast_id": "id"}


def forecast_to_json(record: ForecastRecord) -> dict[str, Any]:
    """Every field of the record as JSON values (dates and moments as ISO strings)."""
    data: dict[str, Any] = {}
    for field in fields(record):
        value = getattr(record, field.name)
        if value is not None and (field.name in _DATE_FIELDS or field.name in _MOMENT_FIELDS):
            value = value.isoformat()
        data[field.name] = value
    return data


def forecast_from_json(data: dict[str, Any], *, guild_id: int) -> ForecastRecord:
    """The record `forecast_to_json` wrote. Also reads the shorter form digests queued before
    this record existed carried (id as `forecast_id`, no sentence or fingerprint), so a digest
    held in the outbox across an upgrade still renders; `guild_id` is the digest's."""
    values = {_LEGACY_DIGEST_KEYS.get(key, key): value for key, value in data.items()}
    known = {field.name for field in fields(ForecastRecord)}
    values = {key: value for key, value in values.items() if key in known}
    for name in _DATE_FIELDS:
        if values.get(name) is not None:
            values[name] = date.fromisoformat(values[name])
    for name in _MOMENT_FIELDS:
        if values.get(name) is not None:
            values[name] = datetime.fromisoformat(values[name])
    claim = str(values.get("claim") or "")
    values.setdefault("guild_id", guild_id)
    values.setdefault("origin", "analysis" if values.get("post_id") else "manual")
    values.setdefault("fingerprint", f"digest:{values.get('id')}")
    values.setdefault("sentence", claim)
    values.setdefault("kind", "outlook")
    values.setdefault("hedge", "unknown")
    values.setdefault("confidence", 0.0)
    if values.get("due_end") is not None and values.get("due_at") is None:
        raise ValueError(f"forecast #{values.get('id')} in a digest has a due date but no moment")
    return ForecastRecord(**values)
