"""What each kind of outbox message carries: one typed, versioned model per kind.

A row's payload is written from one of these models and read back through `read_payload`,
which upgrades what older versions of the bot wrote. Rows written before payloads were
typed carry no `version`; they are version 1. Bump `CURRENT_VERSION` and add an upgrade step
to `_UPGRADES` whenever a model changes shape, so queued rows written by an older bot (held
for weeks behind a refused channel, say) still render after an upgrade.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

CURRENT_VERSION = 2


class PayloadError(ValueError):
    """A stored payload that cannot be read as its kind (corrupt, or written by a newer bot)."""


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    version: int = CURRENT_VERSION


class ForecastSnapshot(BaseModel):
    """What a message about a forecast shows of it, as it was when the message was queued."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: int
    claim: str = ""
    sentence: str | None = None
    speaker: str | None = None
    author: str | None = None
    source_label: str | None = None
    source_url: str | None = None
    due_end: date | None = None
    due_at: datetime | None = None
    probability: float | None = None

    @classmethod
    def of(cls, forecast: Any) -> ForecastSnapshot:
        """The snapshot of a ledger record (anything with the forecast's attributes)."""
        return cls(
            id=forecast.id,
            claim=forecast.claim,
            sentence=forecast.sentence,
            speaker=forecast.speaker,
            author=forecast.author,
            source_label=forecast.source_label,
            source_url=forecast.source_url,
            due_end=forecast.due_end,
            due_at=forecast.due_at,
            probability=forecast.probability,
        )


class ReminderPayload(_Payload):
    """A forecast came due: the channel ping (with the role) or a subscriber's DM."""

    kind: Literal["reminder"] = "reminder"
    forecast: ForecastSnapshot
    language: str = "en"
    late: bool = False
    role_id: int | None = None
    # Subscribers get their own DM; the channel message only says how many there are.
    subscriber_count: int = 0


class FollowupPayload(_Payload):
    """A forecast is still unjudged `stage` days after it came due."""

    kind: Literal["followup"] = "followup"
    forecast: ForecastSnapshot
    stage: int
    language: str = "en"
    late: bool = False
    role_id: int | None = None
    votes: dict[str, int] = Field(default_factory=dict)


class SnoozePayload(_Payload):
    """A member's snooze of a forecast ended."""

    kind: Literal["snooze"] = "snooze"
    forecast: ForecastSnapshot
    snoozed_until: datetime
    language: str = "en"
    late: bool = False
    role_id: int | None = None


class PersonalPayload(_Payload):
    """A member's own reminder of a forecast, at the time they chose."""

    kind: Literal["personal"] = "personal"
    forecast: ForecastSnapshot
    status: str | None = None
    outcome: str | None = None
    language: str = "en"


class DigestPayload(_Payload):
    """A scheduled digest (`digest` is `digests.digest.render.to_json`'s output)."""

    kind: Literal["digest"] = "digest"
    digest: dict[str, Any]
    markdown: str = ""


class FeedPayload(_Payload):
    """A new entry of a followed feed."""

    kind: Literal["feed"] = "feed"
    post_id: int | None = None
    title: str | None = None
    url: str | None = None
    author: str | None = None
    feed: str | None = None
    language: str = "en"


OutboxPayload = Annotated[
    ReminderPayload
    | FollowupPayload
    | SnoozePayload
    | PersonalPayload
    | DigestPayload
    | FeedPayload,
    Field(discriminator="kind"),
]
ForecastPayload = ReminderPayload | FollowupPayload | SnoozePayload | PersonalPayload
KINDS = ("reminder", "followup", "snooze", "personal", "digest", "feed")
_ADAPTER: TypeAdapter[OutboxPayload] = TypeAdapter(OutboxPayload)


def _upgrade_v1(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 (untyped rows): channel reminders listed their subscribers' ids."""
    if kind == "reminder" and "subscriber_count" not in data:
        subscribers = data.pop("subscribers", None)
        data["subscriber_count"] = len(subscribers) if isinstance(subscribers, list) else 0
    return data


_UPGRADES: dict[int, Callable[[str, dict[str, Any]], dict[str, Any]]] = {1: _upgrade_v1}


def read_payload(kind: str, data: Mapping[str, Any]) -> OutboxPayload:
    """The typed payload of a stored row of `kind`, upgraded from whatever version wrote it."""
    if kind not in KINDS:
        raise PayloadError(f"unknown outbox message kind {kind!r}")
    upgraded = dict(data)
    version = upgraded.get("version", 1)
    if not isinstance(version, int) or version < 1:
        raise PayloadError(f"{kind} payload has an invalid version {version!r}")
    if version > CURRENT_VERSION:
        raise PayloadError(
            f"{kind} payload version {version} is newer than this bot reads ({CURRENT_VERSION})"
        )
    while version < CURRENT_VERSION:
        upgraded = _UPGRADES[version](kind, upgraded)
        version += 1
    upgraded.update(kind=kind, version=CURRENT_VERSION)
    try:
        return _ADAPTER.validate_python(upgraded)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'][1:]) or 'payload'}: {item['msg']}"
            for item in error.errors()
        )
        raise PayloadError(f"unreadable {kind} payload: {problems}") from error


def payload_json(payload: OutboxPayload) -> dict[str, Any]:
    """The payload as stored (JSON types; the version and kind included)."""
    return payload.model_dump(mode="json")
