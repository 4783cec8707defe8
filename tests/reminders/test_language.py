"""Reminders in the guild's language: a "ko" guild's sweep delivers Korean pings, DMs, follow-ups
and personal reminders whose button ids are the same persistent ids as in English; an "en" guild
(the default) is unchanged."""

from __future__ import annotations

from datetime import timedelta

from digests.app import Services
from digests.clock import ManualClock
from digests.commands.handlers import Commands, reminder_buttons
from digests.commands.replies import Reply
from digests.digest.render import to_json
from digests.ledger.service import Actor
from digests.outbox_payloads import DigestPayload, read_payload
from digests.store.outbox import OutboxMessage
from tests.digest import sample_digest
from tests.reminders.conftest import GUILD, MEMBER, OTHER_GUILD, SECOND_MEMBER, Tick
from tests.reminders.recording import DUE_AT, DUE_DAY, RecordingTransport

CHANNEL = 500
OTHER_MEMBER = Actor(OTHER_GUILD, 10)


def _ids(forecast_id: int) -> list[str]:
    return [
        f"hs:vote:{forecast_id}:correct",
        f"hs:vote:{forecast_id}:wrong",
        f"hs:vote:{forecast_id}:partly",
        f"hs:vote:{forecast_id}:unknown",
        f"hs:snooze:{forecast_id}",
        f"hs:remind:{forecast_id}",
    ]


async def _render(services: Services, message: OutboxMessage) -> Reply:
    return await Commands(services).render_delivery(message.body, message.late)


def _one(transport: RecordingTransport, kind: str, destination: str) -> OutboxMessage:
    [message] = [m for m in transport.delivered if m.kind == kind and m.destination == destination]
    return message


async def test_a_korean_guild_gets_korean_reminders_with_the_same_button_ids(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    await services.store.guilds.update(
        GUILD, clock.now(), language="ko", reminder_channel_id=CHANNEL
    )
    forecast = await services.ledger.add(MEMBER, claim="금리는 봄까지 내려간다", due=DUE_DAY)
    clock.set(DUE_AT)
    await tick()

    channel = _one(transport, "reminder", "channel")
    assert channel.payload["language"] == "ko"
    ping = await _render(services, channel)
    assert ping.title == f"기한이 된 예측: #{forecast.id}"
    assert ping.description == (
        "금리는 봄까지 내려간다\n\n예측 기간이 끝났습니다. 예측이 맞았을까요?"
        " (구독한 멤버 1명에게는 DM으로 따로 알렸습니다.)"
    )
    assert [(f.name, f.value) for f in ping.fields] == [("기한", DUE_DAY)]
    assert [b.label for b in ping.buttons] == [
        "맞음",
        "틀림",
        "일부 맞음",
        "판단 불가",
        "일주일 미루기",
        "나에게 알림",
    ]
    assert [b.custom_id for b in ping.buttons] == _ids(forecast.id)
    assert [b.custom_id for b in ping.buttons] == [b.custom_id for b in reminder_buttons(1)]
    assert [b.style for b in ping.buttons] == [b.style for b in reminder_buttons(1)]

    dm = _one(transport, "reminder", "user")
    assert dm.destination_id == MEMBER.user_id and dm.payload["language"] == "ko"
    direct = await _render(services, dm)
    assert direct.title == f"기한이 된 예측: #{forecast.id}"
    assert "예측 기간이 끝났습니다." in direct.description
    assert [b.custom_id for b in direct.buttons] == _ids(forecast.id)

    # A follow-up found late, with a vote on it.
    await services.ledger.vote(SECOND_MEMBER, forecast.id, "wrong")
    clock.set(DUE_AT + timedelta(days=7, hours=3))
    await tick()
    followup = await _render(services, _one(transport, "followup", "channel"))
    assert followup.title == f"아직 판정을 기다리는 예측: #{forecast.id}"
    assert "기한이 7일 지났지만 아직 아무도 판정하지 않았습니다." in followup.description
    assert "알림이 늦어 죄송합니다" in followup.description
    assert "late" not in followup.description
    assert ("투표", "틀림: 1") in [(f.name, f.value) for f in followup.fields]
    assert [b.custom_id for b in followup.buttons] == _ids(forecast.id)


async def test_korean_snooze_and_personal_reminders(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    await services.store.guilds.update(GUILD, clock.now(), language="ko")
    forecast = await services.ledger.add(MEMBER, claim="원화는 1500원을 넘는다", due="2026-12-31")
    reminder = await services.ledger.remind_at(SECOND_MEMBER, forecast.id, "2026-01-10")
    assert reminder is not None
    clock.set(reminder.remind_at)
    await tick()
    message = _one(transport, "personal", "user")
    assert message.payload["language"] == "ko"
    personal = await _render(services, message)
    assert personal.title == f"요청하신 알림: #{forecast.id}"
    assert personal.description.endswith("이 예측을 알려 달라고 요청하셨습니다.")
    assert [b.custom_id for b in personal.buttons] == _ids(forecast.id)
    assert personal.buttons[4].label == "일주일 미루기"

    due = await services.ledger.add(MEMBER, claim="금리는 봄까지 내려간다", due="2026-01-20")
    assert due.due_at is not None
    clock.set(due.due_at)
    await tick()
    until = await services.ledger.snooze(SECOND_MEMBER, due.id, 3)
    clock.set(until)
    await tick()
    snooze = await _render(services, _one(transport, "snooze", "channel"))
    assert snooze.title == f"미룬 알림: #{due.id}"
    assert snooze.description.endswith("미뤄 두셨던 예측을 다시 알려 드립니다.")


async def test_an_english_guild_keeps_the_english_reminders(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    # The Korean guild next door changes nothing here.
    await services.store.guilds.update(GUILD, clock.now(), language="ko")
    forecast = await services.ledger.add(OTHER_MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT)
    await tick()
    channel = _one(transport, "reminder", "channel")
    assert channel.guild_id == OTHER_GUILD and channel.payload["language"] == "en"
    ping = await _render(services, channel)
    assert ping.title == f"Forecast due: #{forecast.id}"
    assert ping.description == (
        "Rates fall by spring\n\nIts window has closed. Did it come true?"
        " (1 subscribed member was messaged directly.)"
    )
    assert [(f.name, f.value) for f in ping.fields] == [("Due", DUE_DAY)]
    assert ping.buttons == reminder_buttons(forecast.id)
    assert [b.label for b in ping.buttons] == [
        "Came true",
        "Didn't",
        "Partly",
        "Can't tell",
        "Snooze a week",
        "Remind me",
    ]
    assert [b.custom_id for b in ping.buttons] == _ids(forecast.id)
    # A message queued before payloads carried a language reads as English.
    legacy = {key: value for key, value in channel.payload.items() if key != "language"}
    old = read_payload(channel.kind, legacy)
    assert await Commands(services).render_delivery(old, channel.late) == ping


async def test_a_korean_digest_delivery_is_titled_in_korean(services: Services) -> None:
    commands = Commands(services)
    korean = await commands.render_delivery(
        DigestPayload(digest=to_json(sample_digest(language="ko"))), False
    )
    assert korean.title == "다이제스트"
    assert korean.description.splitlines()[0] == (
        "**다이제스트 (2025-12-08 – 2025-12-15, Asia/Seoul)**"
    )
    english = await commands.render_delivery(DigestPayload(digest=to_json(sample_digest())), False)
    assert english.title == "Digest"
    assert english.description.splitlines()[0] == (
        "**Digest for 2025-12-08 – 2025-12-15 (Asia/Seoul)**"
    )
