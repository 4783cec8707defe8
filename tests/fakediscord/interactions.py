"""Interactions injected by a test and the handle used to await the bot's answers."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .models import FakeChannel, FakeMember, FakeRole, FakeUser
from .records import InteractionCallback, RecordedMessage

if TYPE_CHECKING:
    from .server import FakeDiscord

__all__ = ["FakeAttachmentOption", "FakeInteraction", "OptionType"]


class OptionType:
    """Application command option types."""

    SUB_COMMAND = 1
    SUB_COMMAND_GROUP = 2
    STRING = 3
    INTEGER = 4
    BOOLEAN = 5
    USER = 6
    CHANNEL = 7
    ROLE = 8
    MENTIONABLE = 9
    NUMBER = 10
    ATTACHMENT = 11


@dataclass
class FakeAttachmentOption:
    """A file a user attaches to an ``attachment`` slash command option."""

    filename: str
    data: bytes
    content_type: str | None = None


@dataclass(eq=False)
class FakeInteraction:
    """An interaction the test injected, plus everything the bot answered to it.

    Await :meth:`wait_response` for the initial callback, :meth:`wait_followup` for follow-up
    messages and :meth:`wait_original` for the (possibly edited) original response.
    """

    fake: FakeDiscord = field(repr=False)
    id: int
    token: str
    type: int
    payload: dict[str, Any] = field(repr=False)
    guild_id: int | None
    channel_id: int
    user_id: int
    message: RecordedMessage | None = None
    """For component/modal interactions: the message the component belongs to."""
    callbacks: list[InteractionCallback] = field(default_factory=list)
    followups: list[RecordedMessage] = field(default_factory=list)
    original: RecordedMessage | None = None
    """The message ``@original`` refers to (created by type 4/5, or the component message for
    types 6/7)."""
    created_at: float = 0.0

    @property
    def responded(self) -> bool:
        """Whether the bot sent the initial callback."""
        return bool(self.callbacks)

    @property
    def callback(self) -> InteractionCallback | None:
        """The initial callback, if any."""
        return self.callbacks[0] if self.callbacks else None

    def _describe(self) -> str:
        return self.fake._describe_problems()

    async def wait_response(self, timeout: float = 5.0) -> InteractionCallback:
        """Wait for the bot's initial callback (type 4/5/6/7/8/9) and return it."""
        return await self.fake._notifier.wait_for(
            lambda: self.callback,
            timeout,
            f"the callback of interaction {self.id}",
            self._describe,
        )

    async def wait_followup(
        self,
        index: int = 0,
        *,
        predicate: Callable[[RecordedMessage], bool] | None = None,
        timeout: float = 5.0,
    ) -> RecordedMessage:
        """Wait for follow-up number ``index`` (0-based) or, with ``predicate``, the first
        follow-up that matches it."""

        def check() -> RecordedMessage | None:
            if predicate is not None:
                return next((m for m in self.followups if predicate(m)), None)
            return self.followups[index] if len(self.followups) > index else None

        return await self.fake._notifier.wait_for(
            check, timeout, f"follow-up #{index} of interaction {self.id}", self._describe
        )

    async def wait_original(
        self,
        predicate: Callable[[RecordedMessage], bool] | None = None,
        *,
        timeout: float = 5.0,
    ) -> RecordedMessage:
        """Wait until the original response exists, is no longer a "thinking" placeholder and
        (if given) matches ``predicate``."""

        def check() -> RecordedMessage | None:
            msg = self.original
            if msg is None or msg.loading:
                return None
            if predicate is not None and not predicate(msg):
                return None
            return msg

        return await self.fake._notifier.wait_for(
            check, timeout, f"the original response of interaction {self.id}", self._describe
        )

    async def wait_done(self, timeout: float = 5.0) -> None:
        """Wait for the callback and, if it was a deferral, for the deferred message to be
        filled in (by an edit of ``@original`` or the first follow-up)."""
        cb = await self.wait_response(timeout)
        if cb.type == 5:
            await self.wait_original(timeout=timeout)

    def messages(self) -> list[RecordedMessage]:
        """Original response (if any) followed by every follow-up, without duplicates."""
        out: list[RecordedMessage] = []
        for m in [self.original, *self.followups]:
            if m is not None and m not in out and m is not self.message:
                out.append(m)
        return out


def new_token() -> str:
    """A random interaction token."""
    return "fake-" + secrets.token_urlsafe(48)


def _obj_id(value: Any) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return int(value.id)


def _infer_type(value: Any) -> int:
    if isinstance(value, bool):
        return OptionType.BOOLEAN
    if isinstance(value, int):
        return OptionType.INTEGER
    if isinstance(value, float):
        return OptionType.NUMBER
    if isinstance(value, (FakeUser, FakeMember)):
        return OptionType.USER
    if isinstance(value, FakeChannel):
        return OptionType.CHANNEL
    if isinstance(value, FakeRole):
        return OptionType.ROLE
    if isinstance(value, FakeAttachmentOption):
        return OptionType.ATTACHMENT
    return OptionType.STRING


class OptionBuilder:
    """Turns ``{"name": python_value}`` into interaction ``options`` + ``resolved`` data."""

    def __init__(self, fake: FakeDiscord, guild_id: int | None, channel_id: int) -> None:
        self.fake = fake
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.resolved: dict[str, dict[str, Any]] = {}

    def _resolve(self, kind: str, key: int, data: dict[str, Any]) -> None:
        self.resolved.setdefault(kind, {})[str(key)] = data

    def _resolve_user(self, value: Any) -> int:
        uid = _obj_id(value)
        user = self.fake.get_user(uid)
        if user is None:
            if isinstance(value, FakeMember):
                user = value.user
            elif isinstance(value, FakeUser):
                user = value
            else:
                raise ValueError(f"unknown user id {uid}")
        self._resolve("users", uid, user.to_payload())
        if self.guild_id is not None:
            guild = self.fake.get_guild(self.guild_id)
            member = guild.get_member(uid) if guild else None
            if member is not None and guild is not None:
                perms = guild.permissions_for(uid, self.channel_id)
                self._resolve("members", uid, member.to_payload(with_user=False, permissions=perms))
        return uid

    def _resolve_role(self, value: Any) -> int:
        rid = _obj_id(value)
        guild = self.fake.get_guild(self.guild_id) if self.guild_id else None
        role = guild.get_role(rid) if guild else None
        if role is None:
            raise ValueError(f"unknown role id {rid} in guild {self.guild_id}")
        self._resolve("roles", rid, role.to_payload())
        return rid

    def _resolve_channel(self, value: Any) -> int:
        cid = _obj_id(value)
        channel = self.fake.get_channel(cid)
        if channel is None:
            raise ValueError(f"unknown channel id {cid}")
        data = channel.to_payload()
        if channel.guild_id is not None:
            guild = self.fake.get_guild(channel.guild_id)
            user_id = self.fake.bot_user.id
            if guild is not None:
                data["permissions"] = str(guild.permissions_for(user_id, cid))
        self._resolve("channels", cid, data)
        return cid

    def _resolve_attachment(self, value: Any) -> int:
        if isinstance(value, tuple):
            value = FakeAttachmentOption(*value)
        if not isinstance(value, FakeAttachmentOption):
            raise TypeError("attachment options take FakeAttachmentOption or (filename, bytes)")
        att = self.fake._store_attachment(value.filename, value.data, value.content_type)
        self._resolve("attachments", att.id, att.to_payload())
        return att.id

    def convert(self, schema: Mapping[str, Any] | None, name: str, value: Any) -> dict[str, Any]:
        """One option payload for ``name=value`` (typed from ``schema`` when known)."""
        opt_type = int(schema["type"]) if schema else _infer_type(value)
        if opt_type == OptionType.STRING:
            out: Any = str(value)
        elif opt_type == OptionType.INTEGER:
            out = int(value)
        elif opt_type == OptionType.NUMBER:
            out = float(value)
        elif opt_type == OptionType.BOOLEAN:
            out = bool(value)
        elif opt_type == OptionType.USER:
            out = str(self._resolve_user(value))
        elif opt_type == OptionType.ROLE:
            out = str(self._resolve_role(value))
        elif opt_type == OptionType.CHANNEL:
            out = str(self._resolve_channel(value))
        elif opt_type == OptionType.MENTIONABLE:
            if isinstance(value, FakeRole):
                out = str(self._resolve_role(value))
            else:
                out = str(self._resolve_user(value))
        elif opt_type == OptionType.ATTACHMENT:
            out = str(self._resolve_attachment(value))
        else:
            raise ValueError(f"option {name!r} has unsupported type {opt_type}")
        if schema and schema.get("choices") and not schema.get("autocomplete"):
            allowed = [c["value"] for c in schema["choices"]]
            if out not in allowed:
                raise ValueError(f"option {name!r}: {out!r} is not one of the choices {allowed}")
        return {"name": name, "type": opt_type, "value": out}


def build_leaf_options(
    builder: OptionBuilder,
    schema_options: list[dict[str, Any]] | None,
    values: Mapping[str, Any],
    *,
    focused: str | None = None,
    command_name: str,
) -> list[dict[str, Any]]:
    """Options of the invoked (sub)command, validated against the synced schema if known."""
    by_name = {o["name"]: o for o in (schema_options or [])}
    out: list[dict[str, Any]] = []
    if schema_options is not None:
        unknown = [n for n in values if n not in by_name]
        if unknown:
            raise ValueError(
                f"/{command_name} has no option(s) {unknown}; known options: {sorted(by_name)}"
            )
        if focused is None:
            missing = [
                o["name"] for o in schema_options if o.get("required") and o["name"] not in values
            ]
            if missing:
                raise ValueError(f"/{command_name} is missing required option(s) {missing}")
    for name, value in values.items():
        schema = by_name.get(name)
        if focused == name:
            opt_type = int(schema["type"]) if schema else OptionType.STRING
            out.append({"name": name, "type": opt_type, "value": str(value), "focused": True})
            continue
        out.append(builder.convert(schema, name, value))
    if focused is not None and focused not in values:
        schema = by_name.get(focused)
        opt_type = int(schema["type"]) if schema else OptionType.STRING
        out.append({"name": focused, "type": opt_type, "value": "", "focused": True})
    return out
