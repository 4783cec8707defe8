"""Builders describing the fake Discord "world": users, roles, channels, members, guilds.

Everything here is plain data with sensible defaults, so a test can write::

    guild = FakeGuild(
        name="Test",
        channels=[FakeChannel(name="general")],
        members=[FakeMember(FakeUser(username="alice"))],
    )

and :class:`~tests.fakediscord.FakeDiscord` fills in the rest (the ``@everyone`` role, the
bot's own member and managed role, the owner) when it starts.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import discord

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "DISCORD_EPOCH_MS",
    "FakeChannel",
    "FakeGuild",
    "FakeMember",
    "FakeOverwrite",
    "FakeRole",
    "FakeUser",
    "Perm",
    "compute_permissions",
    "new_snowflake",
    "snowflake_on_shard",
]

DISCORD_EPOCH_MS = 1420070400000

_counter = itertools.count()
_lock = threading.Lock()
_last_ts = 0


def new_snowflake() -> int:
    """Return a fresh, strictly increasing, realistic (timestamp based) snowflake."""
    global _last_ts
    with _lock:
        ts = int(time.time() * 1000) - DISCORD_EPOCH_MS
        _last_ts = max(ts, _last_ts)
        return (_last_ts << 22) | (next(_counter) & 0x3FFFFF)


def snowflake_on_shard(shard_id: int, shard_count: int) -> int:
    """Return a fresh snowflake ``g`` with ``(g >> 22) % shard_count == shard_id``.

    Handy for guild ids in sharding tests.
    """
    if not 0 <= shard_id < shard_count:
        raise ValueError(f"shard_id {shard_id} out of range for shard_count {shard_count}")
    base = new_snowflake()
    ts = base >> 22
    ts += (shard_id - ts) % shard_count
    return (ts << 22) | (base & 0x3FFFFF)


def _to_int(value: Any) -> int:
    """Accept ints, ``discord.Permissions``-like objects (``.value``) or objects with ``.id``."""
    if isinstance(value, int):
        return value
    if hasattr(value, "value"):
        return int(value.value)
    if hasattr(value, "id"):
        return int(value.id)
    return int(value)


def _id_of(value: Any) -> int:
    if isinstance(value, int):
        return value
    return int(value.id)


def _iso(ts: _dt.datetime) -> str:
    return ts.isoformat()


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


class Perm:
    """Permission bit values (same numbers as :class:`discord.Permissions`)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    USE_APPLICATION_COMMANDS = 1 << 31
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38


ALL_PERMISSIONS: int = discord.Permissions.all().value
_ALL_CHANNEL_PERMISSIONS: int = discord.Permissions.all_channel().value

DEFAULT_EVERYONE_PERMISSIONS: int = (
    Perm.CREATE_INSTANT_INVITE
    | Perm.ADD_REACTIONS
    | Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.CHANGE_NICKNAME
    | Perm.USE_APPLICATION_COMMANDS
    | Perm.CREATE_PUBLIC_THREADS
    | Perm.SEND_MESSAGES_IN_THREADS
)
"""Roughly what a fresh Discord server grants ``@everyone``."""

DEFAULT_BOT_PERMISSIONS: int = (
    Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.ADD_REACTIONS
    | Perm.USE_EXTERNAL_EMOJIS
)
"""What a typical bot invite link grants the bot's managed role."""


@dataclass(eq=False)
class FakeUser:
    """A Discord user (a human by default)."""

    username: str = "user"
    id: int = field(default_factory=new_snowflake)
    global_name: str | None = None
    bot: bool = False
    discriminator: str = "0"
    avatar: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """The user object as Discord sends it."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": self.discriminator,
            "global_name": self.global_name,
            "avatar": self.avatar,
            "public_flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data

    @property
    def mention(self) -> str:
        """``<@id>``, as typed in message content."""
        return f"<@{self.id}>"


@dataclass(eq=False)
class FakeRole:
    """A guild role. ``permissions`` is a bitfield (int or ``discord.Permissions``)."""

    name: str = "role"
    id: int = field(default_factory=new_snowflake)
    permissions: int = 0
    position: int = 1
    color: int = 0
    hoist: bool = False
    managed: bool = False
    mentionable: bool = False
    bot_id: int | None = None

    def __post_init__(self) -> None:
        self.permissions = _to_int(self.permissions)

    def to_payload(self) -> dict[str, Any]:
        """The role object as Discord sends it."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data

    @property
    def mention(self) -> str:
        """``<@&id>``, as typed in message content."""
        return f"<@&{self.id}>"


@dataclass(eq=False)
class FakeOverwrite:
    """A channel permission overwrite. ``type`` is 0 for a role, 1 for a member.

    ``id=None`` with ``type=0`` means "the @everyone role" and is resolved to the guild id
    when the channel joins a guild; see :meth:`everyone`.
    """

    id: int | None
    type: int = 0
    allow: int = 0
    deny: int = 0

    def __post_init__(self) -> None:
        self.allow = _to_int(self.allow)
        self.deny = _to_int(self.deny)

    @classmethod
    def everyone(cls, *, allow: int = 0, deny: int = 0) -> FakeOverwrite:
        """Overwrite for the guild's ``@everyone`` role."""
        return cls(None, 0, allow, deny)

    @classmethod
    def role(cls, role: FakeRole | int, *, allow: int = 0, deny: int = 0) -> FakeOverwrite:
        """Overwrite for a role (object or id)."""
        return cls(_id_of(role), 0, allow, deny)

    @classmethod
    def member(
        cls, member: FakeMember | FakeUser | int, *, allow: int = 0, deny: int = 0
    ) -> FakeOverwrite:
        """Overwrite for a single member (object or user id)."""
        return cls(_id_of(member), 1, allow, deny)

    def to_payload(self, everyone_id: int | None = None) -> dict[str, Any]:
        """The overwrite as Discord sends it (``id=None`` becomes ``everyone_id``)."""
        target = self.id if self.id is not None else everyone_id
        if target is None:
            raise ValueError("@everyone overwrite of a channel that is not in a guild")
        return {
            "id": str(target),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass(eq=False)
class FakeChannel:
    """A guild channel (text by default: ``type=0``) or, with ``type=1``, a DM channel."""

    name: str = "general"
    id: int = field(default_factory=new_snowflake)
    type: int = 0
    topic: str | None = None
    position: int = 0
    parent_id: int | None = None
    nsfw: bool = False
    overwrites: list[FakeOverwrite] = field(default_factory=list)
    guild_id: int | None = None
    recipient_id: int | None = None

    def to_payload(self, *, include_guild_id: bool = True) -> dict[str, Any]:
        """The channel object as Discord sends it."""
        if self.type == 1:
            return {"id": str(self.id), "type": 1, "last_message_id": None, "flags": 0}
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "permission_overwrites": [o.to_payload(self.guild_id) for o in self.overwrites],
            "nsfw": self.nsfw,
            "flags": 0,
        }
        if self.type in (0, 5):
            data.update(
                topic=self.topic,
                last_message_id=None,
                rate_limit_per_user=0,
                default_auto_archive_duration=1440,
            )
        elif self.type in (2, 13):
            data.update(bitrate=64000, user_limit=0, rtc_region=None, last_message_id=None)
        if include_guild_id and self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        return data

    @property
    def mention(self) -> str:
        """``<#id>``."""
        return f"<#{self.id}>"


@dataclass(eq=False)
class FakeMember:
    """A guild member: a :class:`FakeUser` plus role ids (``@everyone`` is implicit)."""

    user: FakeUser = field(default_factory=FakeUser)
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: _dt.datetime = field(default_factory=_now)

    def __post_init__(self) -> None:
        self.roles = [_id_of(r) for r in self.roles]

    @property
    def id(self) -> int:
        """The user id."""
        return self.user.id

    @property
    def mention(self) -> str:
        """``<@id>``."""
        return self.user.mention

    def to_payload(
        self, *, with_user: bool = True, permissions: int | None = None
    ) -> dict[str, Any]:
        """The guild member object as Discord sends it."""
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": _iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.to_payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass(eq=False)
class FakeGuild:
    """A guild. The ``@everyone`` role (id == guild id) is created automatically."""

    name: str = "Fake Guild"
    id: int = field(default_factory=new_snowflake)
    channels: list[FakeChannel] = field(default_factory=list)
    roles: list[FakeRole] = field(default_factory=list)
    members: list[FakeMember] = field(default_factory=list)
    owner_id: int | None = None
    everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS
    locale: str = "en-US"
    features: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.everyone_permissions = _to_int(self.everyone_permissions)
        if not any(r.id == self.id for r in self.roles):
            self.roles.insert(
                0,
                FakeRole(
                    "@everyone", id=self.id, permissions=self.everyone_permissions, position=0
                ),
            )
        for channel in self.channels:
            self._adopt_channel(channel)

    # -- building -----------------------------------------------------------------------

    def _adopt_channel(self, channel: FakeChannel) -> None:
        channel.guild_id = self.id
        for ow in channel.overwrites:
            if ow.id is None:
                ow.id = self.id

    def add_channel(self, channel: FakeChannel | None = None, **kwargs: Any) -> FakeChannel:
        """Add (or build from ``kwargs``) a channel and return it."""
        channel = channel or FakeChannel(**kwargs)
        if not kwargs.get("position") and channel.position == 0:
            channel.position = len(self.channels)
        self.channels.append(channel)
        self._adopt_channel(channel)
        return channel

    def add_role(self, role: FakeRole | None = None, **kwargs: Any) -> FakeRole:
        """Add (or build from ``kwargs``) a role and return it."""
        role = role or FakeRole(**kwargs)
        self.roles.append(role)
        return role

    def add_member(self, member: FakeMember | FakeUser | None = None, **kwargs: Any) -> FakeMember:
        """Add a member (a :class:`FakeMember`, a bare :class:`FakeUser`, or ``kwargs``)."""
        if isinstance(member, FakeUser):
            member = FakeMember(member, **kwargs)
        elif member is None:
            member = FakeMember(**kwargs)
        self.members.append(member)
        return member

    # -- lookups ------------------------------------------------------------------------

    @property
    def everyone_role(self) -> FakeRole:
        """The ``@everyone`` role."""
        return self.get_role(self.id)  # type: ignore[return-value]

    def get_role(self, role_id: int) -> FakeRole | None:
        """Role by id."""
        return next((r for r in self.roles if r.id == role_id), None)

    def get_channel(self, channel_id: int) -> FakeChannel | None:
        """Channel by id."""
        return next((c for c in self.channels if c.id == channel_id), None)

    def get_member(self, user_id: int) -> FakeMember | None:
        """Member by user id."""
        return next((m for m in self.members if m.id == user_id), None)

    def channel(self, name: str) -> FakeChannel:
        """Channel by name (raises ``KeyError``)."""
        for c in self.channels:
            if c.name == name:
                return c
        raise KeyError(f"no channel named {name!r} in guild {self.name!r}")

    def role(self, name: str) -> FakeRole:
        """Role by name (raises ``KeyError``)."""
        for r in self.roles:
            if r.name == name:
                return r
        raise KeyError(f"no role named {name!r} in guild {self.name!r}")

    def member(self, name: str) -> FakeMember:
        """Member by username (raises ``KeyError``)."""
        for m in self.members:
            if m.user.username == name:
                return m
        raise KeyError(f"no member named {name!r} in guild {self.name!r}")

    def permissions_for(self, user_id: int, channel_id: int | None = None) -> int:
        """Effective permission bits of ``user_id`` (in ``channel_id``, if given)."""
        channel = self.get_channel(channel_id) if channel_id is not None else None
        return compute_permissions(self, user_id, channel)

    # -- payloads -----------------------------------------------------------------------

    def to_payload(
        self,
        *,
        members: Iterable[FakeMember] | None = None,
        joined_at: _dt.datetime | None = None,
    ) -> dict[str, Any]:
        """A full GUILD_CREATE payload (``members`` defaults to all members)."""
        members = list(self.members if members is None else members)
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id) if self.owner_id else None,
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.locale,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_presences": None,
            "premium_progress_bar_enabled": False,
            "widget_enabled": False,
            "features": list(self.features),
            "roles": [r.to_payload() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "channels": [c.to_payload(include_guild_id=False) for c in self.channels],
            "threads": [],
            "members": [m.to_payload() for m in members],
            "member_count": len(self.members),
            "large": False,
            "unavailable": False,
            "joined_at": _iso(joined_at or _now()),
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def to_rest_payload(self) -> dict[str, Any]:
        """The guild object as ``GET /guilds/{id}`` returns it (no channels/members)."""
        data = self.to_payload(members=[])
        for key in (
            "channels",
            "threads",
            "members",
            "voice_states",
            "presences",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
            "joined_at",
            "large",
            "member_count",
            "unavailable",
        ):
            data.pop(key, None)
        data["approximate_member_count"] = len(self.members)
        data["approximate_presence_count"] = 0
        return data


def compute_permissions(guild: FakeGuild, user_id: int, channel: FakeChannel | None) -> int:
    """Discord's permission algorithm: base role permissions, then channel overwrites."""
    if user_id == guild.owner_id:
        return ALL_PERMISSIONS
    member = guild.get_member(user_id)
    role_ids = list(member.roles) if member else []
    base = guild.everyone_role.permissions
    for rid in role_ids:
        role = guild.get_role(rid)
        if role is not None:
            base |= role.permissions
    if base & Perm.ADMINISTRATOR:
        return ALL_PERMISSIONS
    if channel is None:
        return base
    by_id = {(o.type, guild.id if o.id is None else o.id): o for o in channel.overwrites}
    everyone = by_id.get((0, guild.id))
    if everyone is not None:
        base = (base & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for rid in role_ids:
        ow = by_id.get((0, rid))
        if ow is not None:
            allow |= ow.allow
            deny |= ow.deny
    base = (base & ~deny) | allow
    ow = by_id.get((1, user_id))
    if ow is not None:
        base = (base & ~ow.deny) | ow.allow
    # implicit permissions (same rules as Discord and discord.py's permissions_for)
    if not base & Perm.SEND_MESSAGES:
        base &= ~(
            Perm.SEND_TTS_MESSAGES | Perm.MENTION_EVERYONE | Perm.EMBED_LINKS | Perm.ATTACH_FILES
        )
    if not base & Perm.VIEW_CHANNEL:
        base &= ~_ALL_CHANNEL_PERMISSIONS
    return base
