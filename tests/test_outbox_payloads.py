"""Typed, versioned outbox payloads: what is written is what is read back, and rows written by
an older bot (untyped, version 1) still read — upgraded — while unreadable ones say why."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from digests.outbox_payloads import (
    CURRENT_VERSION,
    DigestPayload,
    FeedPayload,
    FollowupPayload,
    ForecastSnapshot,
    PayloadError,
    PersonalPayload,
    ReminderPayload,
    SnoozePayload,
    payload_json,
    read_payload,
)

FORECAST = ForecastSnapshot(
    id=7,
    claim="Rates fall by spring",
    sentence="Rates will fall by spring.",
    speaker="Powell",
    source_label="Macro letter",
    source_url="https://example.com/macro",
    due_end=date(2025, 12, 20),
    due_at=datetime(2025, 12, 20, 15, 0, tzinfo=UTC),
    probability=0.7,
)

# Exactly what the sweep stored before payloads were typed (no version, no kind, a list of
# subscriber ids on channel pings, ISO strings for dates).
LEGACY_FORECAST = {
    "id": 7,
    "claim": "Rates fall by spring",
    "sentence": "Rates will fall by spring.",
    "speaker": "Powell",
    "author": None,
    "source_label": "Macro letter",
    "source_url": "https://example.com/macro",
    "due_end": "2025-12-20",
    "due_at": "2025-12-20T15:00:00+00:00",
    "probability": 0.7,
}


@pytest.mark.parametrize(
    "payload",
    [
        ReminderPayload(forecast=FORECAST, language="ko", late=True, role_id=5, subscriber_count=2),
        FollowupPayload(forecast=FORECAST, stage=7, votes={"correct": 2}),
        SnoozePayload(forecast=FORECAST, snoozed_until=datetime(2026, 1, 1, tzinfo=UTC)),
        PersonalPayload(forecast=FORECAST, status="due", outcome=None),
        DigestPayload(digest={"guild_id": 1}, markdown="**Digest**"),
        FeedPayload(post_id=3, title="New post", url="https://example.com/p", feed="Blog"),
    ],
)
def test_every_kind_reads_back_as_written(payload: object) -> None:
    stored = payload_json(payload)  # type: ignore[arg-type]
    assert stored["version"] == CURRENT_VERSION and stored["kind"] == payload.kind  # type: ignore[attr-defined]
    assert read_payload(stored["kind"], stored) == payload


def test_a_legacy_channel_ping_is_upgraded_to_a_subscriber_count() -> None:
    legacy = {
        "forecast": LEGACY_FORECAST,
        "role_id": 42,
        "late": False,
        "language": "ko",
        "subscribers": [10, 11, 12],
    }

    payload = read_payload("reminder", legacy)

    assert payload == ReminderPayload(
        forecast=FORECAST, language="ko", role_id=42, subscriber_count=3
    )


def test_legacy_rows_of_every_forecast_kind_still_read() -> None:
    dm = read_payload(
        "reminder", {"forecast": LEGACY_FORECAST, "stage": 0, "late": True, "language": "en"}
    )
    assert dm == ReminderPayload(forecast=FORECAST, late=True)
    followup = read_payload(
        "followup",
        {"forecast": LEGACY_FORECAST, "role_id": None, "late": False, "stage": 30, "votes": {}},
    )
    assert followup == FollowupPayload(forecast=FORECAST, stage=30)
    snooze = read_payload(
        "snooze",
        {"forecast": LEGACY_FORECAST, "snoozed_until": "2026-01-01T00:00:00+00:00"},
    )
    assert snooze == SnoozePayload(
        forecast=FORECAST, snoozed_until=datetime(2026, 1, 1, tzinfo=UTC)
    )
    personal = read_payload(
        "personal", {"forecast": LEGACY_FORECAST, "status": "open", "outcome": None}
    )
    assert personal == PersonalPayload(forecast=FORECAST, status="open")
    feed = read_payload("feed", {"post_id": 1, "title": "T", "url": None, "feed": "F"})
    assert feed == FeedPayload(post_id=1, title="T", feed="F")  # language defaults to English


@pytest.mark.parametrize(
    ("kind", "data", "reason"),
    [
        ("reminder", {"language": "en"}, "forecast: Field required"),
        ("followup", {"forecast": {"id": 1}}, "stage: Field required"),
        ("reminder", {"forecast": {"id": "seven"}}, "forecast.id"),
        ("telegram", {}, "unknown outbox message kind 'telegram'"),
        ("feed", {"version": CURRENT_VERSION + 1}, "newer than this bot reads"),
        ("feed", {"version": 0}, "invalid version 0"),
    ],
)
def test_an_unreadable_payload_names_its_kind_and_the_problem(
    kind: str, data: dict[str, object], reason: str
) -> None:
    with pytest.raises(PayloadError) as caught:
        read_payload(kind, data)
    assert reason in str(caught.value)
    if kind != "telegram":
        assert kind in str(caught.value)


def test_the_row_kind_decides_how_a_payload_is_read() -> None:
    stored = payload_json(FollowupPayload(forecast=FORECAST, stage=7, role_id=5))
    assert read_payload("reminder", stored) == ReminderPayload(forecast=FORECAST, role_id=5)
    assert read_payload("followup", stored) == FollowupPayload(
        forecast=FORECAST, stage=7, role_id=5
    )
