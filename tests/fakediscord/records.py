"""What the fake records: messages, edits, requests, interaction callbacks, gateway events."""

from __future__ import annotations

import asyncio
import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = [
    "EPHEMERAL",
    "LOADING",
    "GatewayEvent",
    "InteractionCallback",
    "MessageEdit",
    "RecordedAttachment",
    "RecordedMessage",
    "RecordedRequest",
]

EPHEMERAL = 1 << 6
LOADING = 1 << 7
SUPPRESS_NOTIFICATIONS = 1 << 12

T = TypeVar("T")
_MISSING: Any = object()

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


@dataclass
class RecordedAttachment:
    """A file attached to a message (uploaded by the bot or injected by a test)."""

    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None
    url: str = ""

    @property
    def size(self) -> int:
        """Number of bytes."""
        return len(self.data)

    @property
    def text(self) -> str:
        """The bytes decoded as UTF-8."""
        return self.data.decode("utf-8")

    def to_payload(self) -> dict[str, Any]:
        """The attachment object as Discord sends it."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": self.size,
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
        }
        if self.description is not None:
            data["description"] = self.description
        return data


@dataclass
class MessageEdit:
    """One edit applied to a :class:`RecordedMessage`: the raw JSON payload and its route."""

    payload: dict[str, Any]
    via: str
    """``"channel"`` (PATCH /channels/..), ``"webhook"`` (interaction original/follow-up edit),
    ``"interaction_update"`` (callback type 7) or ``"followup"`` (follow-up filling a deferred
    response)."""
    at: _dt.datetime = field(default_factory=lambda: _dt.datetime.now(_dt.UTC))


@dataclass(eq=False)
class RecordedMessage:
    """A message that exists in the fake: its current state plus its history.

    Bot messages are recorded from the payloads discord.py sends; ``payload`` is the raw JSON
    of the creating request, ``edits`` the later ones. ``content``/``embeds``/... always hold
    the current state.
    """

    id: int
    channel_id: int
    guild_id: int | None
    author: dict[str, Any]
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[RecordedAttachment] = field(default_factory=list)
    allowed_mentions: dict[str, Any] | None = None
    flags: int = 0
    tts: bool = False
    source: str = "channel"
    """``"channel"``, ``"dm"``, ``"interaction"`` (callback type 4/5), ``"followup"``, ``"user"``."""
    interaction_id: int | None = None
    message_reference: dict[str, Any] | None = None
    poll: dict[str, Any] | None = None
    sticker_ids: list[str] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    edits: list[MessageEdit] = field(default_factory=list)
    deleted: bool = False
    reactions: list[str] = field(default_factory=list)
    type: int = 0
    created_at: _dt.datetime = field(default_factory=lambda: _dt.datetime.now(_dt.UTC))
    edited_at: _dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """Extra message-object keys (``interaction_metadata``, ``webhook_id``...)."""
    nonce: str | None = None
    """The nonce it was created with. Like Discord, the fake echoes it in the create response
    and MESSAGE_CREATE only, not when messages are listed or fetched later."""

    # -- convenience ----------------------------------------------------------------------

    @property
    def author_id(self) -> int:
        """The author's user id."""
        return int(self.author["id"])

    @property
    def from_bot(self) -> bool:
        """Whether the author is a bot user."""
        return bool(self.author.get("bot"))

    @property
    def ephemeral(self) -> bool:
        """``flags & 64``."""
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """A deferred ("Bot is thinking...") response that has not been filled in yet."""
        return bool(self.flags & LOADING)

    @property
    def edited(self) -> bool:
        """Whether the message was edited after creation."""
        return bool(self.edits)

    @property
    def embed(self) -> dict[str, Any] | None:
        """The first embed, if any."""
        return self.embeds[0] if self.embeds else None

    def custom_ids(self) -> list[str]:
        """Every ``custom_id`` in the message's components (nested rows/containers too)."""
        found: list[str] = []

        def walk(items: list[Any]) -> None:
            for item in items:
                if not isinstance(item, dict):
                    continue
                if "custom_id" in item:
                    found.append(item["custom_id"])
                for key in ("components", "items"):
                    if isinstance(item.get(key), list):
                        walk(item[key])
                for key in ("accessory", "component"):
                    if isinstance(item.get(key), dict):
                        walk([item[key]])

        walk(self.components)
        return found

    def find_component(self, custom_id: str) -> dict[str, Any] | None:
        """The component dict with that ``custom_id``, or ``None``."""
        result: dict[str, Any] | None = None

        def walk(items: list[Any]) -> None:
            nonlocal result
            for item in items:
                if result is not None or not isinstance(item, dict):
                    continue
                if item.get("custom_id") == custom_id:
                    result = item
                    return
                for key in ("components", "items"):
                    if isinstance(item.get(key), list):
                        walk(item[key])
                for key in ("accessory", "component"):
                    if isinstance(item.get(key), dict):
                        walk([item[key]])

        walk(self.components)
        return result

    def mentioned_user_ids(self) -> list[int]:
        """User ids that Discord would ping, honouring ``allowed_mentions``."""
        found = [int(x) for x in _USER_MENTION.findall(self.content)]
        am = self.allowed_mentions
        if am is None:
            allowed = found
        else:
            explicit = [int(u) for u in am.get("users", [])]
            if "users" in am.get("parse", []):
                allowed = found
            else:
                allowed = [u for u in found if u in explicit]
        return list(dict.fromkeys(allowed))

    def mentioned_role_ids(self) -> list[int]:
        """Role ids that Discord would ping, honouring ``allowed_mentions``."""
        found = [int(x) for x in _ROLE_MENTION.findall(self.content)]
        am = self.allowed_mentions
        if am is None:
            allowed = found
        else:
            explicit = [int(r) for r in am.get("roles", [])]
            if "roles" in am.get("parse", []):
                allowed = found
            else:
                allowed = [r for r in found if r in explicit]
        return list(dict.fromkeys(allowed))

    def mentions_everyone(self) -> bool:
        """Whether ``@everyone``/``@here`` would ping, honouring ``allowed_mentions``."""
        if "@everyone" not in self.content and "@here" not in self.content:
            return False
        am = self.allowed_mentions
        return am is None or "everyone" in am.get("parse", [])

    # -- Discord payload ------------------------------------------------------------------

    def to_payload(self, *, users: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
        """The message object as Discord returns it (``users``: payloads of mentionable users;
        mentions of users missing from it are left out)."""
        users = users or {}
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": dict(self.author),
            "content": self.content,
            "timestamp": self.created_at.isoformat(),
            "edited_timestamp": self.edited_at.isoformat() if self.edited_at else None,
            "tts": self.tts,
            "mention_everyone": self.mentions_everyone(),
            "mentions": [users[u] for u in self.mentioned_user_ids() if u in users],
            "mention_roles": [str(r) for r in self.mentioned_role_ids()],
            "attachments": [a.to_payload() for a in self.attachments],
            "embeds": [dict(e) for e in self.embeds],
            "components": list(self.components),
            "pinned": False,
            "type": self.type,
            "flags": self.flags,
            "reactions": [
                {"count": 1, "me": True, "emoji": {"id": None, "name": name}}
                for name in self.reactions
            ],
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.message_reference:
            data["message_reference"] = self.message_reference
        if self.poll is not None:
            data["poll"] = self.poll
        data.update(self.extra)
        if not data["reactions"]:
            del data["reactions"]
        return data

    def __repr__(self) -> str:
        bits = [f"id={self.id}", f"channel_id={self.channel_id}", f"source={self.source!r}"]
        if self.content:
            bits.append(f"content={self.content[:60]!r}")
        if self.embeds:
            bits.append(f"embeds={len(self.embeds)}")
        if self.attachments:
            bits.append(f"files={[a.filename for a in self.attachments]}")
        if self.flags:
            bits.append(f"flags={self.flags}")
        if self.deleted:
            bits.append("deleted")
        return f"<RecordedMessage {' '.join(bits)}>"


@dataclass
class RecordedRequest:
    """One HTTP request the bot made to the fake REST API."""

    method: str
    path: str
    query: dict[str, str]
    status: int = 0
    json: Any = None
    form_fields: dict[str, str] = field(default_factory=dict)
    files: list[RecordedAttachment] = field(default_factory=list)
    response: Any = None

    def __repr__(self) -> str:
        return f"<RecordedRequest {self.method} {self.path} -> {self.status}>"


@dataclass
class InteractionCallback:
    """The bot's initial response to an interaction (``POST .../callback``).

    ``type``: 1 pong, 4 message, 5 deferred message ("thinking"), 6 deferred update,
    7 update message, 8 autocomplete result, 9 modal.
    """

    type: int
    data: dict[str, Any] | None
    message: RecordedMessage | None = None
    files: list[RecordedAttachment] = field(default_factory=list)

    @property
    def ephemeral(self) -> bool:
        """Whether the response (or the deferred one) is ephemeral."""
        return bool(((self.data or {}).get("flags") or 0) & EPHEMERAL)

    @property
    def content(self) -> str | None:
        """Current content of the created/updated message (``None`` if no message)."""
        return self.message.content if self.message else None

    @property
    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete choices (type 8)."""
        return list((self.data or {}).get("choices", []))

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal definition (type 9)."""
        return self.data if self.type == 9 else None


@dataclass
class GatewayEvent:
    """Something that happened on the gateway: ``identify``, ``resume``, ``resume_failed``,
    ``disconnect``, ``presence``, ``request_members``, ``voice_state``."""

    kind: str
    session_id: str | None
    shard: tuple[int, int] | None
    data: Any = None


class Notifier:
    """Wakes waiters whenever the fake's recorded state changes."""

    POLL = 0.05

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        """Wake everybody currently waiting."""
        for fut in self._waiters:
            if not fut.done():
                fut.set_result(None)
        self._waiters.clear()

    async def wait_for(
        self,
        check: Callable[[], T | None],
        timeout: float,
        what: str,
        describe: Callable[[], str] | None = None,
    ) -> T:
        """Re-run ``check`` after every change (and every ``POLL`` seconds, for state outside
        the fake) until it returns non-``None``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                detail = describe() if describe else ""
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}{detail}")
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.add(fut)
            try:
                await asyncio.wait({fut}, timeout=min(remaining, self.POLL))
            finally:
                self._waiters.discard(fut)
                if not fut.done():
                    fut.cancel()
