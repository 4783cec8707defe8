"""Pydantic models shared across the domain: posts and what ingestion reports."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class SourceKind(StrEnum):
    """Where a post came from."""

    FILE = "file"
    URL = "url"
    FEED = "feed"
    TEXT = "text"


class DateSource(StrEnum):
    """How a post's publication date was known."""

    METADATA = "metadata"  # the page's, feed entry's or file's own metadata
    URL = "url"  # the post's address (/2025/12/03/)
    TEXT = "text"  # a byline, date line or "기준" date where the post opens
    GIVEN = "given"  # a person said so (--published, posts date)
    UNKNOWN = "unknown"


def _require_aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return value


class Post(BaseModel):
    """A clean, dated post ready to be stored. `published` is None when the date is unknown."""

    model_config = ConfigDict(frozen=True)

    guild_id: int
    source: str
    source_kind: SourceKind
    canonical_url: str | None = None
    title: str
    author: str | None = None
    published: datetime | None = None
    # How `published` was known; None for posts stored before Hindsight kept track of it.
    published_source: DateSource | None = None
    lang: str
    text: str = Field(min_length=1)
    content_hash: str

    _aware = field_validator("published")(_require_aware)

    @property
    def date_source(self) -> DateSource | None:
        """How the date was known (unknown whenever there is no date)."""
        return DateSource.UNKNOWN if self.published is None else self.published_source


class StoredPost(Post):
    """A post as the store holds it."""

    id: int
    ingested_at: datetime

    _aware_ingested = field_validator("ingested_at")(_require_aware)


class ForecastCounts(BaseModel):
    """What a post's analysis put in the ledger."""

    model_config = ConfigDict(frozen=True)

    tracked: int = 0  # forecasts with a window (scheduled)
    needs_date: int = 0  # forecasts whose window waits for the post's date
    views: int = 0  # undated statements, kept but not tracked
    # Set when the post was longer than the analysis reads: the characters it read.
    analysed_chars: int | None = None

    @property
    def forecasts(self) -> int:
        """Forecasts proper: tracked ones and those waiting for the post's date."""
        return self.tracked + self.needs_date


class IngestOutcome(StrEnum):
    """What happened to one post offered to the store."""

    STORED = "stored"
    DUPLICATE = "duplicate"


class IngestResult(BaseModel):
    """One line of an ingest report: a post stored or skipped, and why."""

    source: str
    outcome: IngestOutcome
    title: str
    post_id: int | None = None
    reason: str | None = None
    # The catalog key of why a duplicate was skipped ("ingest.why.url"), for readers' languages.
    reason_key: str | None = None
    published: datetime | None = None
    published_source: DateSource | None = None
    author: str | None = None
    predictions: int = 0  # forecasts found, the ones that need the post's date included
    needs_date: int = 0  # forecasts whose window waits for the post's date
    views: int = 0  # undated statements ("…될 것 같다"), kept but not tracked
    analysed_chars: int | None = None  # the post was longer: only this many characters read
