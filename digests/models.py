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
    lang: str
    text: str = Field(min_length=1)
    content_hash: str

    _aware = field_validator("published")(_require_aware)


class StoredPost(Post):
    """A post as the store holds it."""

    id: int
    ingested_at: datetime

    _aware_ingested = field_validator("ingested_at")(_require_aware)


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
    published: datetime | None = None
    author: str | None = None
    predictions: int = 0
