""":class:`FakeDiscord`: a local gateway + REST API that a real discord.py bot connects to."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import re
import socket
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import discord
import yarl
from aiohttp import web

from .gateway import GatewayConnection, GatewayServer, GatewaySession, Intent, gateway_event
from .interactions import FakeInteraction, OptionBuilder, build_leaf_options, new_token
from .models import (
    DEFAULT_BOT_PERMISSIONS,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Perm,
    new_snowflake,
)
from .netguard import guard_network, is_loopback
from .records import (
    EPHEMERAL,
    LOADING,
    GatewayEvent,
    InteractionCallback,
    MessageEdit,
    Notifier,
    RecordedAttachment,
    RecordedMessage,
    RecordedRequest,
)
from .rest import API_PREFIX, RestApi, form_error, validate_message

__all__ = ["CreatedMessageHold", "FakeDiscord", "InjectedFailure"]

T = TypeVar("T")

_ALLOWED_CREATE_FLAGS = (1 << 2) | (1 << 12) | (1 << 13) | (1 << 15)
_NAME_RE = re.compile(r"^[-_'\w]{1,32}$", re.UNICODE)
_USER_MENTION = re.compile(r"<@!?(\d+)>")

UserLike = FakeUser | FakeMember | int
MessageLike = RecordedMessage | int


@dataclass
class InjectedFailure:
    """A failure injected with :meth:`FakeDiscord.fail_requests` (or ``fail_channel``)."""

    method: str | None
    pattern: re.Pattern[str]
    status: int
    code: int
    message: str
    remaining: int | None = None
    hits: int = 0


class _Patch:
    """Context manager returned by :meth:`FakeDiscord.patched` (usable with ``with`` and
    ``async with``)."""

    def __init__(self, fake: FakeDiscord, *, guard: bool, fast_identify: bool) -> None:
        self.fake = fake
        self.guard = guard
        self.fast_identify = fast_identify
        self._stack: contextlib.ExitStack | None = None

    def __enter__(self) -> FakeDiscord:
        fake = self.fake
        if fake._runner is None:
            raise RuntimeError("start the FakeDiscord before patching discord.py")
        from discord.client import Client
        from discord.gateway import DiscordWebSocket
        from discord.http import Route

        old = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY, discord.Asset.BASE)
        old_hook = Client.__dict__["before_identify_hook"]

        async def before_identify_hook(
            self: Client, shard_id: int | None, *, initial: bool = False
        ) -> None:
            return None

        def restore() -> None:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY, discord.Asset.BASE = old
            Client.before_identify_hook = old_hook  # type: ignore[method-assign]

        stack = contextlib.ExitStack()
        stack.callback(restore)
        Route.BASE = fake.api_base
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
        discord.Asset.BASE = fake.base_url + "/cdn"
        if self.fast_identify:
            Client.before_identify_hook = before_identify_hook  # type: ignore[method-assign]
        if self.guard:
            stack.enter_context(guard_network(fake.blocked_connections))
        self._stack = stack
        return fake

    def __exit__(self, *exc: object) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()

    async def __aenter__(self) -> FakeDiscord:
        return self.__enter__()

    async def __aexit__(self, *exc: object) -> None:
        self.__exit__(*exc)


class CreatedMessageHold:
    """Bot messages created while the hold is armed get their HTTP response held back until
    :meth:`release`: Discord has the message, the bot does not know yet. A test can stop (or
    kill) the bot in exactly that window. See :meth:`FakeDiscord.hold_created_messages`."""

    def __init__(self, channel_id: int | None) -> None:
        self.channel_id = channel_id
        self.held: list[RecordedMessage] = []
        """Messages created whose response is (or was) held, in order."""
        self._released = asyncio.Event()

    def applies_to(self, msg: RecordedMessage) -> bool:
        """Whether this hold catches a new message (any channel, or its own)."""
        return not self._released.is_set() and self.channel_id in (None, msg.channel_id)

    def release(self) -> None:
        """Answer the held requests and hold nothing more."""
        self._released.set()

    async def wait_released(self) -> None:
        """Until :meth:`release`."""
        await self._released.wait()


def _check_status(status: int) -> None:
    if not 400 <= status < 500 or status == 429:
        raise ValueError(
            "injected failures must be 4xx (not 429): discord.py retries 5xx/429 with long sleeps"
        )


class FakeDiscord:
    """A fake Discord (gateway websocket + REST API) on 127.0.0.1 for end-to-end bot tests.

    Typical use::

        async with FakeDiscord(guilds=[guild]) as fake, fake.patched():
            bot = MyBot()
            async with fake.run_bot(bot):
                await bot.tree.sync()
                inter = await fake.send_slash_command(guild.id, channel.id, alice, "ping")
                cb = await inter.wait_response()
                assert cb.message.content == "pong"

    The world (guilds, channels, roles, members) is described with the builders from
    :mod:`tests.fakediscord.models`; on :meth:`start` every guild gets an ``@everyone`` role,
    a managed role + member for the bot (``bot_permissions``) and an owner.
    """

    def __init__(
        self,
        *,
        guilds: Iterable[FakeGuild] = (),
        bot_user: FakeUser | None = None,
        application_id: int | None = None,
        application_name: str = "Fake App",
        application_flags: int = 0,
        owner: FakeUser | None = None,
        token: str = "fake-bot-token",
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        recommended_shards: int = 1,
        heartbeat_interval_ms: int = 41250,
        allowed_intents: int | None = None,
        enforce_permissions: bool = True,
        validate_messages: bool = True,
        echo_bot_messages: bool = True,
        interaction_deadline: float | None = 3.0,
        nonce_window: float | None = 300.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """Configure the fake (nothing listens until :meth:`start`).

        ``allowed_intents``: privileged intents the application may use (``None`` = all);
        identifying with others closes the gateway with 4014.
        ``enforce_permissions``: channel REST calls check the bot's computed permissions.
        ``validate_messages``: reject payloads Discord would reject (2000 chars, embeds...).
        ``echo_bot_messages``: the bot's own (non-ephemeral) messages come back as
        MESSAGE_CREATE/UPDATE/DELETE like on Discord.
        ``interaction_deadline``: seconds the bot has for the initial callback (``None``: no
        limit); later callbacks get ``404 Unknown interaction`` like on Discord.
        ``nonce_window``: seconds during which a message created with ``enforce_nonce`` and a
        nonce seen before (same author) returns the earlier message instead of creating one,
        like Discord's "few minutes" (``None`` or 0: every message is new). Changeable later.
        """
        if not is_loopback(host):
            raise ValueError("FakeDiscord only listens on loopback addresses")
        self.host = host
        self.port = port
        self.bot_user = bot_user or FakeUser("fakebot", bot=True)
        self.bot_user.bot = True
        self.application_id = application_id or self.bot_user.id
        self.application_name = application_name
        self.application_flags = application_flags
        self.owner = owner or FakeUser("app-owner")
        self.token = token
        self.bot_permissions = int(getattr(bot_permissions, "value", bot_permissions))
        self.recommended_shards = recommended_shards
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.allowed_intents = allowed_intents
        self.enforce_permissions = enforce_permissions
        self.validate_messages = validate_messages
        self.echo_bot_messages = echo_bot_messages
        self.interaction_deadline = interaction_deadline
        self.nonce_window = nonce_window

        self.guilds: list[FakeGuild] = list(guilds)
        self._users: dict[int, FakeUser] = {}
        self._dm_channels: dict[int, FakeChannel] = {}

        # recordings
        self.messages: list[RecordedMessage] = []
        """Every message in the fake (bot and injected user messages), in creation order."""
        self.requests: list[RecordedRequest] = []
        """Every REST request the bot made."""
        self.unhandled_requests: list[RecordedRequest] = []
        """Requests to endpoints the fake does not implement (answered 404)."""
        self.gateway_events: list[GatewayEvent] = []
        self.errors: list[str] = []
        """Internal errors of the fake itself (should stay empty)."""
        self.blocked_connections: list[str] = []
        """Non-loopback hosts something tried to reach while :meth:`patched` was active."""
        self.command_syncs: list[tuple[int | None, list[str]]] = []
        """``(guild_id or None, [names])`` for every bulk overwrite, in order."""
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[GatewayConnection] = []
        """Open gateway websocket connections."""
        self.interactions: list[FakeInteraction] = []
        self.nonce_repeats: list[RecordedMessage] = []
        """Earlier messages returned for a repeated nonce instead of creating a new one."""
        self._holds: list[CreatedMessageHold] = []

        self._messages: dict[int, RecordedMessage] = {}
        self._attachments: dict[int, RecordedAttachment] = {}
        self._commands: dict[int | None, list[dict[str, Any]]] = {}
        self._command_ids: dict[tuple[int | None, int, str], int] = {}
        self._interactions: dict[int, FakeInteraction] = {}
        self._interactions_by_token: dict[str, FakeInteraction] = {}
        self._failures: list[InjectedFailure] = []
        self._dm_failures: dict[int, InjectedFailure] = {}
        self._notifier = Notifier()
        self._gateway = GatewayServer(self)
        self._rest = RestApi(self)
        self._runner: web.AppRunner | None = None

    # =====================================================================================
    # lifecycle
    # =====================================================================================

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Prepare the world and start listening on ``host:port`` (port 0 = any free one)."""
        if self._runner is not None:
            return
        for guild in self.guilds:
            self._prepare_guild(guild)
        app = self._rest.build_app()
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        site = web.SockSite(runner, sock)
        await site.start()
        self._runner = runner

    async def stop(self) -> None:
        """Close every gateway connection and stop the server."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        for hold in self._holds:
            hold.release()
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await conn.close(1001, "fake discord shutting down")
        await runner.cleanup()
        self._notifier.notify()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` is set to."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` is set to."""
        return self.base_url.replace("http://", "ws://") + "/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """The ``resume_gateway_url`` sent in READY."""
        return self.base_url.replace("http://", "ws://") + "/gateway-resume"

    def patched(self, *, guard: bool = True, fast_identify: bool = True) -> _Patch:
        """Point discord.py at this fake while the returned context (sync *or* async) is
        active: ``with fake.patched(): ...`` / ``async with fake, fake.patched(): ...``.

        Sets ``discord.http.Route.BASE``, ``DiscordWebSocket.DEFAULT_GATEWAY`` and
        ``discord.Asset.BASE`` (CDN) to the fake. ``guard`` blocks every non-loopback
        connection/lookup (recorded in :attr:`blocked_connections`). ``fast_identify``
        replaces ``Client.before_identify_hook``'s 5 s sleep between shard IDENTIFYs with a
        no-op (bots that override the hook keep their own).
        """
        return _Patch(self, guard=guard, fast_identify=fast_identify)

    @contextlib.asynccontextmanager
    async def run_bot(
        self, bot: discord.Client, *, token: str | None = None, ready_timeout: float = 10.0
    ) -> AsyncIterator[discord.Client]:
        """Log ``bot`` in, connect it, wait for ``on_ready``; close it cleanly on exit.

        Errors raised by the bot's connection task (e.g. ``LoginFailure``,
        ``PrivilegedIntentsRequired``) are re-raised here.
        """
        try:
            await bot.login(token or self.token)
        except BaseException:
            await bot.close()
            raise
        connect = asyncio.create_task(bot.connect(), name="fakediscord-run-bot")
        ready = asyncio.create_task(bot.wait_until_ready(), name="fakediscord-wait-ready")
        try:
            done, _ = await asyncio.wait(
                {connect, ready}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if ready not in done:
                ready.cancel()
                if connect.done():
                    connect.result()
                    raise RuntimeError("bot.connect() returned before the bot became ready")
                raise TimeoutError(
                    f"bot not ready after {ready_timeout}s{self._describe_problems()}"
                )
        except BaseException:
            ready.cancel()
            await bot.close()
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(connect, 5)
            raise
        failed = True
        try:
            yield bot
            failed = False
        finally:
            await bot.close()
            try:
                await asyncio.wait_for(connect, 5)
            except Exception:
                if not failed:
                    raise

    # =====================================================================================
    # world
    # =====================================================================================

    def _prepare_guild(self, guild: FakeGuild) -> None:
        bot_id = self.bot_user.id
        if guild.get_member(bot_id) is None:
            role = FakeRole(
                self.bot_user.username,
                permissions=self.bot_permissions,
                position=max((r.position for r in guild.roles), default=0) + 1,
                managed=True,
                bot_id=bot_id,
            )
            guild.add_role(role)
            guild.add_member(FakeMember(self.bot_user, roles=[role.id]))
        if guild.owner_id is None:
            human = next((m for m in guild.members if not m.user.bot), None)
            if human is None:
                human = guild.add_member(FakeUser("guild-owner"))
            guild.owner_id = human.id
        for member in guild.members:
            self._users.setdefault(member.id, member.user)
        for channel in guild.channels:
            guild._adopt_channel(channel)

    def add_user(self, user: FakeUser) -> FakeUser:
        """Make a user known outside any guild (e.g. for DMs)."""
        self._users[user.id] = user
        return user

    def get_user(self, user_id: int) -> FakeUser | None:
        """Known user by id (bot, owner, guild members, :meth:`add_user`)."""
        if user_id == self.bot_user.id:
            return self.bot_user
        if user_id == self.owner.id:
            return self.owner
        return self._users.get(user_id)

    def get_guild(self, guild_id: int | None) -> FakeGuild | None:
        """Guild by id."""
        return next((g for g in self.guilds if g.id == guild_id), None)

    def get_channel(self, channel_id: int) -> FakeChannel | None:
        """Guild or DM channel by id."""
        for guild in self.guilds:
            channel = guild.get_channel(channel_id)
            if channel is not None:
                return channel
        return next((c for c in self._dm_channels.values() if c.id == channel_id), None)

    def dm_channel(self, user: UserLike) -> FakeChannel:
        """The (lazily created) DM channel between the bot and ``user``."""
        uid = _uid(user)
        channel = self._dm_channels.get(uid)
        if channel is None:
            channel = FakeChannel(name="", type=1, recipient_id=uid)
            self._dm_channels[uid] = channel
        return channel

    async def add_guild(self, guild: FakeGuild) -> FakeGuild:
        """Add a guild at runtime: GUILD_CREATE goes to the right shard (``on_guild_join``)."""
        self._prepare_guild(guild)
        self.guilds.append(guild)
        for session in self._sessions_for(guild.id):
            session.guild_ids.append(guild.id)
            await session.dispatch("GUILD_CREATE", self._guild_create_payload(guild, session))
        return guild

    async def remove_guild(self, guild: FakeGuild | int) -> None:
        """Remove the bot from a guild (GUILD_DELETE, ``on_guild_remove``)."""
        gid = _uid(guild)
        self.guilds = [g for g in self.guilds if g.id != gid]
        await self.dispatch("GUILD_DELETE", {"id": str(gid)}, guild_id=gid)

    async def add_member(self, guild: FakeGuild | int, member: FakeMember | FakeUser) -> FakeMember:
        """Add a member at runtime (GUILD_MEMBER_ADD to sessions with the members intent)."""
        g = self._guild(guild)
        added = g.add_member(member)
        self._users.setdefault(added.id, added.user)
        data = {**added.to_payload(), "guild_id": str(g.id)}
        await self.dispatch("GUILD_MEMBER_ADD", data, guild_id=g.id, intent=Intent.GUILD_MEMBERS)
        return added

    async def remove_member(self, guild: FakeGuild | int, user: UserLike) -> None:
        """Remove a member at runtime (GUILD_MEMBER_REMOVE)."""
        g = self._guild(guild)
        uid = _uid(user)
        member = g.get_member(uid)
        if member is None:
            raise ValueError(f"user {uid} is not a member of guild {g.id}")
        g.members.remove(member)
        data = {"guild_id": str(g.id), "user": member.user.to_payload()}
        await self.dispatch("GUILD_MEMBER_REMOVE", data, guild_id=g.id, intent=Intent.GUILD_MEMBERS)

    async def update_member(self, guild: FakeGuild | int, member: FakeMember) -> None:
        """Announce changed roles/nick of a member (GUILD_MEMBER_UPDATE)."""
        g = self._guild(guild)
        data = {**member.to_payload(), "guild_id": str(g.id)}
        await self.dispatch("GUILD_MEMBER_UPDATE", data, guild_id=g.id)

    async def update_channel(self, channel: FakeChannel) -> None:
        """Announce a changed channel (e.g. new overwrites) with CHANNEL_UPDATE."""
        if channel.guild_id is None:
            raise ValueError("only guild channels can be updated")
        await self.dispatch("CHANNEL_UPDATE", channel.to_payload(), guild_id=channel.guild_id)

    async def update_role(self, guild: FakeGuild | int, role: FakeRole) -> None:
        """Announce a changed role (e.g. permissions) with GUILD_ROLE_UPDATE."""
        g = self._guild(guild)
        data = {"guild_id": str(g.id), "role": role.to_payload()}
        await self.dispatch("GUILD_ROLE_UPDATE", data, guild_id=g.id)

    def _guild(self, guild: FakeGuild | int) -> FakeGuild:
        g = self.get_guild(_uid(guild))
        if g is None:
            raise ValueError(f"unknown guild {guild!r}")
        return g

    # =====================================================================================
    # gateway side
    # =====================================================================================

    def _record_error(self, text: str) -> None:
        self.errors.append(text)

    def _gateway_event(self, kind: str, session: GatewaySession | None, data: Any) -> None:
        self.gateway_events.append(gateway_event(kind, session, data))
        self._notifier.notify()

    def _loop_time(self) -> float:
        return asyncio.get_running_loop().time()

    def _me_payload(self) -> dict[str, Any]:
        data = self.bot_user.to_payload()
        data.update(verified=True, mfa_enabled=False, flags=0, email=None)
        return data

    def _ready_payload(self, session: GatewaySession, guilds: list[FakeGuild]) -> dict[str, Any]:
        return {
            "v": 10,
            "user": self._me_payload(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "shard": [session.shard_id, session.shard_count],
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["fake-discord"],
        }

    def _guild_create_payload(self, guild: FakeGuild, session: GatewaySession) -> dict[str, Any]:
        if session.has_intent(Intent.GUILD_MEMBERS):
            members = list(guild.members)
        else:
            members = [m for m in guild.members if m.id == self.bot_user.id]
        return guild.to_payload(members=members)

    async def _answer_member_request(self, session: GatewaySession, data: dict[str, Any]) -> None:
        gids = data.get("guild_id")
        gid_list = gids if isinstance(gids, list) else [gids]
        for gid in gid_list:
            guild = self.get_guild(int(gid))
            if guild is None:
                continue
            members = list(guild.members)
            not_found: list[str] = []
            if data.get("user_ids"):
                wanted = [int(u) for u in data["user_ids"]]
                members = [m for m in members if m.id in wanted]
                found = {m.id for m in members}
                not_found = [str(u) for u in wanted if u not in found]
            elif data.get("query"):
                q = str(data["query"]).lower()
                members = [m for m in members if m.user.username.lower().startswith(q)]
            limit = int(data.get("limit") or 0)
            if limit:
                members = members[:limit]
            payload: dict[str, Any] = {
                "guild_id": str(guild.id),
                "members": [m.to_payload() for m in members],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": not_found,
            }
            if data.get("nonce"):
                payload["nonce"] = data["nonce"]
            await session.dispatch("GUILD_MEMBERS_CHUNK", payload)

    def _sessions_for(
        self, guild_id: int | None, intent: int | None = None
    ) -> list[GatewaySession]:
        out = []
        for s in self.sessions.values():
            if s.invalidated:
                continue
            if guild_id is None:
                if s.shard_id != 0:
                    continue
            elif not s.covers_guild(guild_id):
                continue
            if intent is not None and not s.has_intent(intent):
                continue
            out.append(s)
        return out

    async def dispatch(
        self, event: str, data: Any, *, guild_id: int | None = None, intent: int | None = None
    ) -> int:
        """Send a raw gateway dispatch to every session owning ``guild_id`` (shard 0 when
        ``None``) that has ``intent``; returns how many sessions got it."""
        sessions = self._sessions_for(guild_id, intent)
        for s in sessions:
            await s.dispatch(event, data)
        return len(sessions)

    async def drop_connections(self, *, shard_id: int | None = None, code: int = 4000) -> int:
        """Close live gateway connections server-side (discord.py reconnects and RESUMEs).

        Returns the number of connections closed.
        """
        n = 0
        for conn in list(self.connections):
            session = conn.session
            if shard_id is not None and (session is None or session.shard_id != shard_id):
                continue
            await conn.close(code, "dropped by test")
            n += 1
        return n

    async def request_reconnect(self, *, shard_id: int | None = None) -> int:
        """Send op 7 RECONNECT to live sessions (the client closes and RESUMEs)."""
        n = 0
        for session in list(self.sessions.values()):
            if session.live and (shard_id is None or session.shard_id == shard_id):
                await session.conn.send({"op": 7, "d": None, "s": None, "t": None})  # type: ignore[union-attr]
                n += 1
        return n

    async def invalidate_sessions(
        self, *, resumable: bool = False, shard_id: int | None = None
    ) -> int:
        """Send op 9 INVALID_SESSION; with ``resumable=False`` the client re-IDENTIFYs."""
        n = 0
        for session in list(self.sessions.values()):
            if session.live and (shard_id is None or session.shard_id == shard_id):
                conn = session.conn
                if not resumable:
                    session.invalidated = True
                await conn.send({"op": 9, "d": resumable, "s": None, "t": None})  # type: ignore[union-attr]
                n += 1
        return n

    def live_sessions(self) -> list[GatewaySession]:
        """Sessions with an open connection right now."""
        return [s for s in self.sessions.values() if s.live]

    # =====================================================================================
    # application commands
    # =====================================================================================

    def synced_commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Commands as last synced: global ones, or the given guild's."""
        return [dict(c) for c in self._commands.get(guild_id, [])]

    def synced_command(self, name: str, guild_id: int | None = None) -> dict[str, Any]:
        """One synced command by name (guild scope first, then global); ``LookupError``."""
        cmd = self._lookup_command(name, guild_id, 1)
        if cmd is None:
            raise LookupError(f"no synced command named {name!r}")
        return dict(cmd)

    def _lookup_command(self, name: str, guild_id: int | None, ctype: int) -> dict[str, Any] | None:
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for cmd in self._commands.get(scope, []):
                if cmd["name"] == name and int(cmd.get("type", 1)) == ctype:
                    return cmd
        return None

    def _store_commands(
        self, scope: int | None, raw_cmds: list[Any], *, replace: bool
    ) -> list[dict[str, Any]]:
        stored: list[dict[str, Any]] = []
        seen: set[tuple[int, str]] = set()
        for i, raw in enumerate(raw_cmds):
            if not isinstance(raw, dict):
                raise form_error(f"{i}", "DICT_TYPE_CONVERT", "Only dictionaries may be used")
            cmd = dict(raw)
            ctype = int(cmd.get("type") or 1)
            name = cmd.get("name")
            if not isinstance(name, str) or not name:
                raise form_error(f"{i}.name", "BASE_TYPE_REQUIRED", "This field is required")
            if ctype == 1:
                if not _NAME_RE.match(name) or name != name.lower():
                    raise form_error(
                        f"{i}.name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
                    )
                desc = cmd.get("description") or ""
                if not 1 <= len(desc) <= 100:
                    raise form_error(
                        f"{i}.description",
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 100 in length.",
                    )
                _validate_options(cmd.get("options") or [], f"{i}.options", depth=0)
            elif len(name) > 32:
                raise form_error(f"{i}.name", "BASE_TYPE_BAD_LENGTH", "Must be 1-32 in length.")
            if (ctype, name) in seen:
                raise form_error(
                    f"{i}.name",
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique: {name}",
                )
            seen.add((ctype, name))
            cid = self._command_ids.setdefault((scope, ctype, name), new_snowflake())
            cmd.update(
                id=str(cid),
                application_id=str(self.application_id),
                version=str(new_snowflake()),
                type=ctype,
            )
            cmd.setdefault("description", "")
            cmd.setdefault("options", [])
            cmd.setdefault("default_member_permissions", None)
            cmd.setdefault("nsfw", False)
            if scope is not None:
                cmd["guild_id"] = str(scope)
            stored.append(cmd)
        if sum(1 for c in stored if c["type"] == 1) > 100:
            raise form_error("_", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        if replace:
            self._commands[scope] = stored
            self.command_syncs.append((scope, [c["name"] for c in stored]))
        else:
            existing = self._commands.setdefault(scope, [])
            for cmd in stored:
                existing[:] = [
                    c for c in existing if (c["type"], c["name"]) != (cmd["type"], cmd["name"])
                ]
                existing.append(cmd)
        self._notifier.notify()
        return [dict(c) for c in stored]

    # =====================================================================================
    # messages
    # =====================================================================================

    def _store_attachment(
        self,
        filename: str,
        data: bytes,
        content_type: str | None = None,
        description: str | None = None,
    ) -> RecordedAttachment:
        aid = new_snowflake()
        att = RecordedAttachment(
            id=aid,
            filename=filename,
            data=data,
            content_type=content_type,
            description=description,
            url=f"{self.base_url}/attachments/{aid}/{filename}",
        )
        self._attachments[aid] = att
        return att

    def _uploads(
        self,
        payload: dict[str, Any],
        files: list[tuple[str, RecordedAttachment]],
        existing: list[RecordedAttachment],
    ) -> list[RecordedAttachment] | None:
        """Resolve ``attachments``/``files[n]`` into the message's new attachment list
        (``None`` = leave unchanged)."""
        by_field = {name: att for name, att in files}
        existing_by_id = {a.id: a for a in existing}
        entries = payload.get("attachments")
        if entries is None:
            if not files:
                return None
            uploads = [self._store_attachment(a.filename, a.data, a.content_type) for _, a in files]
            return [*existing, *uploads]
        result: list[RecordedAttachment] = []
        for entry in entries:
            try:
                ident = int(entry.get("id"))
            except (TypeError, ValueError):
                raise form_error("attachments", "BASE_TYPE_REQUIRED", "id is required") from None
            if ident in existing_by_id:
                result.append(existing_by_id[ident])
                continue
            upload = by_field.get(f"files[{ident}]")
            if upload is None:
                raise form_error(
                    f"attachments.{ident}", "ATTACHMENT_NOT_FOUND", "Unknown attachment"
                )
            result.append(
                self._store_attachment(
                    entry.get("filename") or upload.filename,
                    upload.data,
                    upload.content_type,
                    entry.get("description"),
                )
            )
        return result

    def _new_message(
        self,
        channel: FakeChannel,
        payload: dict[str, Any],
        files: list[tuple[str, RecordedAttachment]],
        *,
        source: str,
        author: dict[str, Any],
        flags: int = 0,
        msg_type: int = 0,
        interaction_id: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> RecordedMessage:
        attachments = self._uploads(payload, files, []) or []
        ref = payload.get("message_reference")
        if ref:
            ref = dict(ref)
            ref_id = int(ref.get("message_id", 0))
            target = self._messages.get(ref_id)
            if target is None or target.deleted:
                if ref.get("fail_if_not_exists", True):
                    raise form_error(
                        "message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                    )
                ref = None
            else:
                ref.setdefault("channel_id", str(target.channel_id))
                if target.guild_id:
                    ref.setdefault("guild_id", str(target.guild_id))
                msg_type = 19
        msg = RecordedMessage(
            id=new_snowflake(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            content=payload.get("content") or "",
            embeds=[_normalize_embed(e) for e in payload.get("embeds") or []],
            components=list(payload.get("components") or []),
            attachments=attachments,
            allowed_mentions=payload.get("allowed_mentions"),
            flags=flags,
            tts=bool(payload.get("tts")),
            source=source,
            interaction_id=interaction_id,
            message_reference=ref or None,
            poll=payload.get("poll"),
            sticker_ids=[str(s) for s in payload.get("sticker_ids") or []],
            payload=payload,
            type=msg_type,
            extra=dict(extra or {}),
        )
        if msg.poll is not None:
            msg.poll = _normalize_poll(msg.poll)
        self._messages[msg.id] = msg
        self.messages.append(msg)
        self._notifier.notify()
        return msg

    async def _create_bot_message(
        self,
        channel: FakeChannel,
        payload: dict[str, Any],
        files: list[tuple[str, RecordedAttachment]],
        *,
        nonce: str | None = None,
    ) -> RecordedMessage:
        if self.validate_messages:
            validate_message(payload, files, creating=True)
        flags = int(payload.get("flags") or 0) & _ALLOWED_CREATE_FLAGS
        msg = self._new_message(
            channel,
            payload,
            files,
            source="dm" if channel.type == 1 else "channel",
            author=self.bot_user.to_payload(),
            flags=flags,
        )
        msg.nonce = nonce
        await self._announce("MESSAGE_CREATE", msg)
        return msg

    def _message_with_nonce(self, author_id: int, nonce: str) -> RecordedMessage | None:
        """The newest message by ``author_id`` created with ``nonce`` within the window."""
        if not self.nonce_window:
            return None
        since = _dt.datetime.now(_dt.UTC) - _dt.timedelta(seconds=self.nonce_window)
        for msg in reversed(self.messages):
            if msg.created_at < since:
                return None
            if msg.nonce == nonce and msg.author_id == author_id and not msg.deleted:
                return msg
        return None

    def hold_created_messages(self, channel: FakeChannel | int | None = None) -> CreatedMessageHold:
        """From now on, hold back the response to every bot message created (in ``channel``,
        or anywhere) until the returned hold is released: the message exists, the bot has not
        heard back. Release it before stopping the fake."""
        hold = CreatedMessageHold(None if channel is None else _uid(channel))
        self._holds.append(hold)
        return hold

    async def _hold_created(self, msg: RecordedMessage) -> None:
        # One hold per message: the first armed one that applies (holds armed later, while
        # this response is held, do not catch it again).
        hold = next((hold for hold in list(self._holds) if hold.applies_to(msg)), None)
        if hold is not None:
            hold.held.append(msg)
            self._notifier.notify()
            await hold.wait_released()
        self._holds = [hold for hold in self._holds if not hold._released.is_set()]

    async def _edit_message(
        self,
        msg: RecordedMessage,
        payload: dict[str, Any],
        files: list[tuple[str, RecordedAttachment]],
        *,
        via: str,
    ) -> None:
        new_attachments = self._uploads(payload, files, msg.attachments)
        content = payload.get("content", msg.content)
        embeds = payload.get("embeds", msg.embeds)
        components = payload.get("components", msg.components)
        flags = msg.flags
        if payload.get("flags") is not None:
            keep = msg.flags & ~((1 << 2) | (1 << 15))
            flags = keep | (int(payload["flags"]) & ((1 << 2) | (1 << 15)))
        was_loading = msg.loading
        flags &= ~LOADING
        attachments = msg.attachments if new_attachments is None else new_attachments
        if self.validate_messages:
            state = {
                "content": content,
                "embeds": embeds,
                "components": components,
                "flags": flags,
                "allowed_mentions": payload.get("allowed_mentions"),
                "poll": msg.poll,
                "sticker_ids": msg.sticker_ids,
            }
            validate_message(state, attachments, creating=True)
        msg.content = content or ""
        msg.embeds = [_normalize_embed(e) for e in embeds or []]
        msg.components = list(components or [])
        msg.attachments = attachments
        if "allowed_mentions" in payload:
            msg.allowed_mentions = payload["allowed_mentions"]
        msg.flags = flags
        msg.edits.append(MessageEdit(payload=payload, via=via))
        if not was_loading:
            msg.edited_at = _dt.datetime.now(_dt.UTC)
        self._notifier.notify()
        await self._announce("MESSAGE_CREATE" if was_loading else "MESSAGE_UPDATE", msg)

    async def _delete_message(self, msg: RecordedMessage) -> None:
        msg.deleted = True
        self._notifier.notify()
        if msg.ephemeral:
            return
        data: dict[str, Any] = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        intent = Intent.GUILD_MESSAGES if msg.guild_id is not None else Intent.DIRECT_MESSAGES
        await self.dispatch("MESSAGE_DELETE", data, guild_id=msg.guild_id, intent=intent)

    def _message_payload(self, msg: RecordedMessage) -> dict[str, Any]:
        users: dict[int, dict[str, Any]] = {}
        guild = self.get_guild(msg.guild_id) if msg.guild_id else None
        for uid in msg.mentioned_user_ids():
            user = self.get_user(uid)
            if user is None:
                continue
            data = user.to_payload()
            member = guild.get_member(uid) if guild else None
            if member is not None:
                data["member"] = member.to_payload(with_user=False)
            users[uid] = data
        return msg.to_payload(users=users)

    async def _announce(self, event: str, msg: RecordedMessage) -> None:
        """MESSAGE_CREATE/UPDATE to the sessions that would see ``msg``."""
        if msg.ephemeral or msg.loading:
            return
        is_bot = msg.author_id == self.bot_user.id
        if is_bot and not self.echo_bot_messages:
            return
        payload = self._message_payload(msg)
        if event == "MESSAGE_CREATE" and msg.nonce is not None:
            payload["nonce"] = msg.nonce
        guild = self.get_guild(msg.guild_id) if msg.guild_id else None
        if guild is not None:
            member = guild.get_member(msg.author_id)
            if member is not None:
                payload["member"] = member.to_payload(with_user=False)
        intent = Intent.GUILD_MESSAGES if msg.guild_id is not None else Intent.DIRECT_MESSAGES
        mentioned = self.bot_user.id in [int(x) for x in _USER_MENTION.findall(msg.content)]
        for session in self._sessions_for(msg.guild_id, intent):
            data = payload
            if (
                guild is not None
                and not is_bot
                and not mentioned
                and not session.has_intent(Intent.MESSAGE_CONTENT)
            ):
                data = {
                    **payload,
                    "content": "",
                    "embeds": [],
                    "attachments": [],
                    "components": [],
                }
                data.pop("poll", None)
            await session.dispatch(event, data)

    # -- queries ------------------------------------------------------------------------------

    @property
    def sent_messages(self) -> list[RecordedMessage]:
        """Messages authored by the bot (including interaction responses), creation order."""
        return [m for m in self.messages if m.author_id == self.bot_user.id]

    def messages_in(
        self, channel: FakeChannel | int, *, include_deleted: bool = False
    ) -> list[RecordedMessage]:
        """Messages in a channel (bot and injected user ones), oldest first."""
        cid = _uid(channel)
        return [
            m for m in self.messages if m.channel_id == cid and (include_deleted or not m.deleted)
        ]

    def dm_messages(self, user: UserLike) -> list[RecordedMessage]:
        """Messages in the DM channel with ``user``."""
        channel = self._dm_channels.get(_uid(user))
        return self.messages_in(channel.id) if channel else []

    def get_message(self, message_id: int) -> RecordedMessage | None:
        """Message by id."""
        return self._messages.get(message_id)

    def find_message(
        self,
        *,
        custom_id: str | None = None,
        channel_id: int | None = None,
        predicate: Callable[[RecordedMessage], bool] | None = None,
    ) -> RecordedMessage | None:
        """Newest non-deleted message matching all given criteria (e.g. having a component
        with ``custom_id``)."""
        for msg in reversed(self.messages):
            if msg.deleted:
                continue
            if channel_id is not None and msg.channel_id != channel_id:
                continue
            if custom_id is not None and custom_id not in msg.custom_ids():
                continue
            if predicate is not None and not predicate(msg):
                continue
            return msg
        return None

    async def wait_until(
        self, check: Callable[[], T | None], *, timeout: float = 5.0, what: str = "condition"
    ) -> T:
        """Wait until ``check()`` returns something other than ``None`` (re-checked on every
        change the fake records and every 50 ms) and return it."""
        return await self._notifier.wait_for(check, timeout, what, self._describe_problems)

    async def wait_for_message(
        self,
        channel_id: int | None = None,
        predicate: Callable[[RecordedMessage], bool] | None = None,
        *,
        timeout: float = 5.0,
        since: int = 0,
        from_bot: bool = True,
    ) -> RecordedMessage:
        """Wait for a (bot, by default) message, optionally in ``channel_id`` and matching
        ``predicate``; considers ``fake.messages[since:]`` in their current (edited) state,
        skipping deleted ones and unfilled "thinking" placeholders."""

        def check() -> RecordedMessage | None:
            for msg in self.messages[since:]:
                if msg.deleted or msg.loading:
                    continue
                if channel_id is not None and msg.channel_id != channel_id:
                    continue
                if from_bot and msg.author_id != self.bot_user.id:
                    continue
                if predicate is not None and not predicate(msg):
                    continue
                return msg
            return None

        where = f" in channel {channel_id}" if channel_id is not None else ""
        return await self.wait_until(check, timeout=timeout, what=f"a message{where}")

    async def wait_for_request(
        self,
        method: str,
        path_pattern: str,
        *,
        timeout: float = 5.0,
        since: int = 0,
    ) -> RecordedRequest:
        """Wait for a completed REST request (``path_pattern`` is a regex matched against the
        path without ``/api/v10``)."""
        pattern = re.compile(path_pattern)

        def check() -> RecordedRequest | None:
            for req in self.requests[since:]:
                if req.method == method and req.status and pattern.fullmatch(req.path):
                    return req
            return None

        return await self.wait_until(check, timeout=timeout, what=f"{method} {path_pattern}")

    async def wait_for_gateway_event(
        self, kind: str, *, timeout: float = 5.0, since: int = 0
    ) -> GatewayEvent:
        """Wait for a gateway event (``identify``, ``resume``, ``disconnect``, ...)."""

        def check() -> GatewayEvent | None:
            return next((e for e in self.gateway_events[since:] if e.kind == kind), None)

        return await self.wait_until(check, timeout=timeout, what=f"gateway event {kind!r}")

    def _describe_problems(self) -> str:
        lines = []
        if self.errors:
            lines.append(f"fake errors: {self.errors}")
        failed = [r for r in self.requests if r.status >= 400]
        if failed:
            lines.append(
                "failed requests: "
                + ", ".join(f"{r.method} {r.path} -> {r.status} {r.response}" for r in failed[-5:])
            )
        if self.unhandled_requests:
            lines.append(f"unhandled requests: {self.unhandled_requests}")
        if self.blocked_connections:
            lines.append(f"blocked connections: {self.blocked_connections}")
        if not self.live_sessions():
            lines.append("no live gateway session")
        return "".join("\n  " + line for line in lines)

    def assert_clean(self) -> None:
        """Fail if the fake had internal errors, saw unimplemented requests or blocked a
        non-loopback connection."""
        problems = []
        if self.errors:
            problems.append(f"fake errors: {self.errors}")
        if self.unhandled_requests:
            problems.append(f"unhandled requests: {self.unhandled_requests}")
        if self.blocked_connections:
            problems.append(f"blocked non-loopback connections: {self.blocked_connections}")
        if problems:
            raise AssertionError("; ".join(problems))

    # =====================================================================================
    # failure injection
    # =====================================================================================

    def fail_requests(
        self,
        method: str | None,
        path_pattern: str,
        *,
        status: int = 400,
        code: int = 0,
        message: str = "Bad Request",
        times: int | None = None,
    ) -> InjectedFailure:
        """Answer matching REST requests (``path_pattern``: regex on the path without
        ``/api/v10``; ``method=None`` = any) with a 4xx JSON error, ``times`` times
        (``None`` = until cleared)."""
        _check_status(status)
        failure = InjectedFailure(
            method.upper() if method else None,
            re.compile(path_pattern),
            status,
            code,
            message,
            times,
        )
        self._failures.append(failure)
        return failure

    def fail_channel(
        self,
        channel: FakeChannel | int,
        *,
        status: int = 403,
        code: int = 50013,
        message: str = "Missing Permissions",
        times: int | None = None,
    ) -> InjectedFailure:
        """Make ``POST /channels/{id}/messages`` (``channel.send``) fail with a 4xx."""
        cid = _uid(channel)
        return self.fail_requests(
            "POST",
            rf"/channels/{cid}/messages",
            status=status,
            code=code,
            message=message,
            times=times,
        )

    def fail_dm(
        self,
        user: UserLike,
        *,
        status: int = 403,
        code: int = 50007,
        message: str = "Cannot send messages to this user",
    ) -> InjectedFailure:
        """Make DMs to ``user`` fail (default: closed DMs, 403/50007)."""
        _check_status(status)
        uid = _uid(user)
        failure = InjectedFailure(None, re.compile(".*"), status, code, message)
        self._dm_failures[uid] = failure
        return failure

    def clear_failures(self, channel: FakeChannel | int | None = None) -> None:
        """Remove injected failures (all, or only the given channel's)."""
        if channel is None:
            self._failures.clear()
            self._dm_failures.clear()
            return
        cid = _uid(channel)
        self._failures = [f for f in self._failures if f"/channels/{cid}/" not in f.pattern.pattern]

    def clear_failure(self, failure: InjectedFailure) -> None:
        """Remove one injected failure."""
        self._failures = [f for f in self._failures if f is not failure]
        self._dm_failures = {k: v for k, v in self._dm_failures.items() if v is not failure}

    def _match_failure(self, method: str, path: str) -> InjectedFailure | None:
        for failure in list(self._failures):
            if failure.method is not None and failure.method != method:
                continue
            if not failure.pattern.fullmatch(path):
                continue
            failure.hits += 1
            if failure.remaining is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
            return failure
        return None

    # =====================================================================================
    # user-side injection: messages
    # =====================================================================================

    async def send_message(
        self,
        channel: FakeChannel | int,
        author: UserLike,
        content: str = "",
        *,
        embeds: Sequence[dict[str, Any]] = (),
        attachments: Sequence[tuple[str, bytes]] = (),
        reply_to: MessageLike | None = None,
    ) -> RecordedMessage:
        """Post a message as a user (MESSAGE_CREATE; content is blanked for sessions without
        the message content intent unless the bot is mentioned, like on Discord)."""
        ch = self.get_channel(_uid(channel))
        if ch is None:
            raise ValueError(f"unknown channel {channel!r}")
        user = self._user(author)
        if ch.guild_id is not None:
            guild = self._guild(ch.guild_id)
            if guild.get_member(user.id) is None:
                raise ValueError(f"{user.username} is not a member of guild {guild.name}")
        payload: dict[str, Any] = {"content": content, "embeds": list(embeds)}
        if reply_to is not None:
            payload["message_reference"] = {"message_id": str(_uid(reply_to))}
        msg = self._new_message(ch, payload, [], source="user", author=user.to_payload())
        msg.attachments = [self._store_attachment(name, data) for name, data in attachments]
        await self._announce("MESSAGE_CREATE", msg)
        return msg

    async def send_dm(self, author: UserLike, content: str = "", **kwargs: Any) -> RecordedMessage:
        """Post a message as ``author`` in their DM channel with the bot."""
        user = self._user(author)
        self._users.setdefault(user.id, user)
        return await self.send_message(self.dm_channel(user), user, content, **kwargs)

    def _user(self, user: UserLike) -> FakeUser:
        if isinstance(user, FakeMember):
            return user.user
        if isinstance(user, FakeUser):
            return user
        found = self.get_user(int(user))
        if found is None:
            raise ValueError(f"unknown user id {user}")
        return found

    # =====================================================================================
    # user-side injection: interactions
    # =====================================================================================

    def _interaction_payload(
        self,
        itype: int,
        guild_id: int | None,
        channel_id: int | None,
        user: UserLike,
        data: dict[str, Any] | None,
        *,
        message: RecordedMessage | None = None,
        locale: str = "en-US",
    ) -> tuple[dict[str, Any], int, FakeUser]:
        actor = self._user(user)
        iid = new_snowflake()
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "token": new_token(),
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if data is not None:
            payload["data"] = data
        if guild_id is not None:
            guild = self._guild(guild_id)
            member = guild.get_member(actor.id)
            if member is None:
                raise ValueError(
                    f"{actor.username} ({actor.id}) is not a member of guild {guild.name}; "
                    "add them with guild.add_member(...)"
                )
            if channel_id is None:
                raise ValueError("channel_id is required for guild interactions")
            channel = guild.get_channel(channel_id)
            if channel is None:
                raise ValueError(f"channel {channel_id} is not in guild {guild.name}")
            perms = guild.permissions_for(actor.id, channel.id)
            ch_payload = channel.to_payload()
            ch_payload["permissions"] = str(perms)
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": guild.locale, "features": guild.features},
                guild_locale=guild.locale,
                channel_id=str(channel.id),
                channel=ch_payload,
                member=member.to_payload(permissions=perms),
                app_permissions=str(guild.permissions_for(self.bot_user.id, channel.id)),
                context=0,
                authorizing_integration_owners={"0": str(guild.id)},
            )
        else:
            self._users.setdefault(actor.id, actor)
            channel = self.dm_channel(actor)
            ch_payload = channel.to_payload()
            ch_payload["recipients"] = [actor.to_payload()]
            payload.update(
                channel_id=str(channel.id),
                channel=ch_payload,
                user=actor.to_payload(),
                app_permissions=str(
                    Perm.VIEW_CHANNEL
                    | Perm.SEND_MESSAGES
                    | Perm.EMBED_LINKS
                    | Perm.ATTACH_FILES
                    | Perm.READ_MESSAGE_HISTORY
                ),
                context=1,
                authorizing_integration_owners={"0": "0"},
            )
        if message is not None:
            payload["message"] = self._message_payload(message)
        return payload, iid, actor

    async def _deliver_interaction(
        self,
        itype: int,
        guild_id: int | None,
        channel_id: int | None,
        user: UserLike,
        data: dict[str, Any] | None,
        *,
        message: RecordedMessage | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        payload, iid, actor = self._interaction_payload(
            itype, guild_id, channel_id, user, data, message=message, locale=locale
        )
        sessions = self._sessions_for(guild_id)
        if not sessions:
            raise RuntimeError(
                "no gateway session would receive this interaction: is the bot connected? "
                "(use `async with fake.run_bot(bot):`)"
            )
        inter = FakeInteraction(
            fake=self,
            id=iid,
            token=payload["token"],
            type=itype,
            payload=payload,
            guild_id=guild_id,
            channel_id=int(payload["channel_id"]),
            user_id=actor.id,
            message=message,
        )
        inter.created_at = self._loop_time()
        self._interactions[iid] = inter
        self._interactions_by_token[inter.token] = inter
        self.interactions.append(inter)
        for session in sessions:
            await session.dispatch("INTERACTION_CREATE", payload)
        return inter

    def _command_for(
        self, name: str, guild_id: int | None, ctype: int, require_synced: bool
    ) -> dict[str, Any] | None:
        cmd = self._lookup_command(name, guild_id, ctype)
        if cmd is None and require_synced:
            known = sorted(
                c["name"]
                for scope in ([guild_id, None] if guild_id else [None])
                for c in self._commands.get(scope, [])
            )
            raise LookupError(
                f"command {name!r} (type {ctype}) is not synced for guild {guild_id}; "
                f"call bot.tree.sync() first (synced: {known})"
            )
        return cmd

    def _check_member_can_use(
        self, cmd: dict[str, Any] | None, guild_id: int | None, channel_id: int, user: UserLike
    ) -> None:
        if cmd is None or guild_id is None:
            return
        required = cmd.get("default_member_permissions")
        if required in (None, ""):
            return
        guild = self._guild(guild_id)
        uid = self._user(user).id
        perms = guild.permissions_for(uid, channel_id)
        needed = int(required)
        if needed == 0 and uid != guild.owner_id and not perms & Perm.ADMINISTRATOR:
            raise PermissionError(f"/{cmd['name']} is disabled for non-admins")
        if perms & needed != needed and not perms & Perm.ADMINISTRATOR:
            raise PermissionError(
                f"Discord would not show /{cmd['name']} to user {uid}: "
                f"needs permissions {needed}, has {perms}"
            )

    def _command_data(
        self,
        guild_id: int | None,
        channel_id: int,
        name: str,
        options: Mapping[str, Any] | None,
        *,
        focused: str | None = None,
        require_synced: bool = True,
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        parts = name.split()
        if not parts:
            raise ValueError("empty command name")
        root, path = parts[0], parts[1:]
        cmd = self._command_for(root, guild_id, 1, require_synced)
        schema_opts: list[dict[str, Any]] | None = cmd.get("options", []) if cmd else None
        chain: list[tuple[int, str]] = []
        for i, part in enumerate(path):
            if schema_opts is None:
                chain.append((2 if i < len(path) - 1 else 1, part))
                continue
            match = next(
                (o for o in schema_opts if o["name"] == part and o["type"] in (1, 2)), None
            )
            if match is None:
                subs = [o["name"] for o in schema_opts if o["type"] in (1, 2)]
                raise LookupError(f"/{root} has no subcommand/group {part!r} (has {subs})")
            chain.append((int(match["type"]), part))
            schema_opts = match.get("options", [])
        if schema_opts is not None and any(o["type"] in (1, 2) for o in schema_opts):
            subs = [o["name"] for o in schema_opts if o["type"] in (1, 2)]
            raise LookupError(f"/{name} is a group: pick a subcommand from {subs}")
        builder = OptionBuilder(self, guild_id, channel_id)
        leaf = build_leaf_options(
            builder, schema_opts, dict(options or {}), focused=focused, command_name=name
        )
        nested = leaf
        for opt_type, part in reversed(chain):
            nested = [{"name": part, "type": opt_type, "options": nested}]
        data: dict[str, Any] = {
            "id": cmd["id"] if cmd else str(new_snowflake()),
            "name": root,
            "type": 1,
            "options": nested,
        }
        if cmd and cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        if builder.resolved and focused is None:
            data["resolved"] = builder.resolved
        return data, cmd

    async def send_slash_command(
        self,
        guild_id: int | None,
        channel_id: int | None,
        user: UserLike,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        locale: str = "en-US",
        require_synced: bool = True,
        check_permissions: bool = True,
    ) -> FakeInteraction:
        """Invoke a slash command as ``user`` (INTERACTION_CREATE type 2).

        ``name`` is the qualified name: ``"ping"``, ``"ledger add"``, ``"admin config set"``.
        ``options`` maps option names to Python values (str/int/float/bool, ``FakeUser``/
        ``FakeMember``/``FakeChannel``/``FakeRole``/ids, ``FakeAttachmentOption`` or
        ``(filename, bytes)``); they are typed and validated against the synced schema and
        ``resolved`` is filled in. ``guild_id=None`` invokes it in the user's DM with the bot.
        ``check_permissions`` refuses commands whose ``default_member_permissions`` the user
        lacks (Discord would not show them).
        """
        if guild_id is None:
            channel_id = self.dm_channel(user).id
        assert channel_id is not None
        data, cmd = self._command_data(
            guild_id, channel_id, name, options, require_synced=require_synced
        )
        if check_permissions:
            self._check_member_can_use(cmd, guild_id, channel_id, user)
        return await self._deliver_interaction(2, guild_id, channel_id, user, data, locale=locale)

    async def send_autocomplete(
        self,
        guild_id: int | None,
        channel_id: int | None,
        user: UserLike,
        name: str,
        focused: str,
        value: str = "",
        options: Mapping[str, Any] | None = None,
        *,
        locale: str = "en-US",
        require_synced: bool = True,
    ) -> FakeInteraction:
        """Send an autocomplete request (type 4) while ``user`` types ``value`` into option
        ``focused``; other already-filled ``options`` may be given. Await
        ``wait_response()`` and read ``.choices``."""
        if guild_id is None:
            channel_id = self.dm_channel(user).id
        assert channel_id is not None
        values = dict(options or {})
        values[focused] = value
        data, _ = self._command_data(
            guild_id, channel_id, name, values, focused=focused, require_synced=require_synced
        )
        return await self._deliver_interaction(4, guild_id, channel_id, user, data, locale=locale)

    async def send_user_command(
        self,
        guild_id: int,
        channel_id: int,
        user: UserLike,
        name: str,
        target: UserLike,
        *,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Invoke a user context-menu command on ``target``."""
        cmd = self._command_for(name, guild_id, 2, True)
        builder = OptionBuilder(self, guild_id, channel_id)
        target_id = builder._resolve_user(target)
        data = {
            "id": cmd["id"],  # type: ignore[index]
            "name": name,
            "type": 2,
            "target_id": str(target_id),
            "resolved": builder.resolved,
        }
        if cmd and cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return await self._deliver_interaction(2, guild_id, channel_id, user, data, locale=locale)

    async def send_message_command(
        self,
        user: UserLike,
        name: str,
        target: MessageLike,
        *,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Invoke a message context-menu command on ``target`` (in the target's channel)."""
        msg = self._resolve_message(target)
        cmd = self._command_for(name, msg.guild_id, 3, True)
        data = {
            "id": cmd["id"],  # type: ignore[index]
            "name": name,
            "type": 3,
            "target_id": str(msg.id),
            "resolved": {"messages": {str(msg.id): self._message_payload(msg)}},
        }
        if cmd and cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return await self._deliver_interaction(
            2, msg.guild_id, msg.channel_id, user, data, locale=locale
        )

    def _resolve_message(self, message: MessageLike) -> RecordedMessage:
        msg = message if isinstance(message, RecordedMessage) else self._messages.get(message)
        if msg is None:
            raise ValueError(f"unknown message {message!r}")
        if msg.deleted:
            raise ValueError(f"message {msg.id} was deleted")
        return msg

    def _component(self, msg: RecordedMessage, custom_id: str) -> dict[str, Any]:
        comp = msg.find_component(custom_id)
        if comp is None:
            raise ValueError(
                f"message {msg.id} has no component {custom_id!r} (has {msg.custom_ids()})"
            )
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled: users cannot use it")
        return comp

    async def click_button(
        self,
        message: MessageLike,
        custom_id: str,
        user: UserLike,
        *,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Click the button ``custom_id`` on a message the bot sent (type 3 interaction)."""
        msg = self._resolve_message(message)
        comp = self._component(msg, custom_id)
        if comp.get("type") != 2:
            raise ValueError(f"component {custom_id!r} is not a button (type {comp.get('type')})")
        data = {"custom_id": custom_id, "component_type": 2}
        if "id" in comp:
            data["id"] = comp["id"]
        return await self._deliver_interaction(
            3, msg.guild_id, msg.channel_id, user, data, message=msg, locale=locale
        )

    async def select_menu(
        self,
        message: MessageLike,
        custom_id: str,
        values: Sequence[Any],
        user: UserLike,
        *,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Pick ``values`` in the select menu ``custom_id`` (string select: option values;
        user/role/channel/mentionable selects: objects or ids)."""
        msg = self._resolve_message(message)
        comp = self._component(msg, custom_id)
        ctype = int(comp.get("type", 0))
        if ctype not in (3, 5, 6, 7, 8):
            raise ValueError(f"component {custom_id!r} is not a select menu (type {ctype})")
        lo, hi = int(comp.get("min_values", 1)), int(comp.get("max_values", 1))
        if not lo <= len(values) <= hi:
            raise ValueError(f"select {custom_id!r} takes {lo}..{hi} values, got {len(values)}")
        builder = OptionBuilder(self, msg.guild_id, msg.channel_id)
        out: list[str] = []
        if ctype == 3:
            allowed = [o["value"] for o in comp.get("options", [])]
            for v in values:
                if v not in allowed:
                    raise ValueError(f"{v!r} is not an option of {custom_id!r} ({allowed})")
                out.append(str(v))
        else:
            for v in values:
                if ctype == 5 or (ctype == 7 and not isinstance(v, FakeRole)):
                    out.append(str(builder._resolve_user(v)))
                elif ctype == 6 or ctype == 7:
                    out.append(str(builder._resolve_role(v)))
                else:
                    out.append(str(builder._resolve_channel(v)))
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": ctype, "values": out}
        if builder.resolved:
            data["resolved"] = builder.resolved
        return await self._deliver_interaction(
            3, msg.guild_id, msg.channel_id, user, data, message=msg, locale=locale
        )

    async def submit_modal(
        self,
        source: FakeInteraction,
        values: Mapping[str, Any],
        *,
        user: UserLike | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """Submit the modal the bot opened in reply to ``source`` (callback type 9).

        ``values`` maps text input ``custom_id`` -> text (select ``custom_id`` -> list).
        """
        cb = source.callback
        if cb is None or cb.type != 9 or not cb.data:
            raise ValueError(f"interaction {source.id} was not answered with a modal")
        modal = cb.data
        unknown = set(values)

        def submitted(comp: dict[str, Any]) -> dict[str, Any] | None:
            cid = comp.get("custom_id")
            ctype = comp.get("type")
            if ctype == 4:
                value = values.get(cid, comp.get("value") or "")
                unknown.discard(cid)
                if comp.get("required", True) and not value:
                    raise ValueError(f"text input {cid!r} is required")
                max_len = comp.get("max_length")
                if max_len is not None and len(value) > int(max_len):
                    raise ValueError(f"text input {cid!r} allows at most {max_len} characters")
                return {"type": 4, "custom_id": cid, "value": str(value)}
            if ctype in (3, 5, 6, 7, 8):
                unknown.discard(cid)
                return {"type": ctype, "custom_id": cid, "values": list(values.get(cid, []))}
            return None

        components: list[dict[str, Any]] = []
        for top in modal.get("components", []):
            if top.get("type") == 1:
                row = [s for s in (submitted(c) for c in top.get("components", [])) if s]
                components.append({"type": 1, "components": row})
            elif top.get("type") == 18 and isinstance(top.get("component"), dict):
                inner = submitted(top["component"])
                if inner is not None:
                    components.append({"type": 18, "component": inner})
        if unknown:
            raise ValueError(f"modal {modal.get('custom_id')!r} has no inputs {sorted(unknown)}")
        data = {"custom_id": modal["custom_id"], "components": components}
        return await self._deliver_interaction(
            5,
            source.guild_id,
            source.channel_id,
            user if user is not None else source.user_id,
            data,
            message=source.message,
            locale=locale,
        )

    # -- callbacks / follow-ups (called by the REST handlers) --------------------------------------

    def _interaction_extra(self, inter: FakeInteraction) -> dict[str, Any]:
        user = self.get_user(inter.user_id)
        user_payload = user.to_payload() if user else {"id": str(inter.user_id)}
        data = inter.payload.get("data") or {}
        return {
            "webhook_id": str(self.application_id),
            "application_id": str(self.application_id),
            "interaction_metadata": {
                "id": str(inter.id),
                "type": inter.type,
                "user": user_payload,
                "authorizing_integration_owners": inter.payload.get(
                    "authorizing_integration_owners", {}
                ),
            },
            "interaction": {
                "id": str(inter.id),
                "type": inter.type,
                "name": data.get("name") or data.get("custom_id") or "",
                "user": user_payload,
            },
        }

    async def _handle_callback(
        self,
        inter: FakeInteraction,
        ctype: int,
        data: dict[str, Any] | None,
        files: list[tuple[str, RecordedAttachment]],
    ) -> InteractionCallback:
        valid = {1: {1}, 2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
        if ctype not in valid.get(inter.type, set()):
            raise form_error(
                "type",
                "INTERACTION_CALLBACK_TYPE_INVALID",
                f"callback type {ctype} is not valid for interaction type {inter.type}",
            )
        data = data if isinstance(data, dict) else None
        channel = self.get_channel(inter.channel_id)
        assert channel is not None
        msg: RecordedMessage | None = None
        allowed_flags = _ALLOWED_CREATE_FLAGS | EPHEMERAL
        if ctype == 4:
            payload = data or {}
            if self.validate_messages:
                validate_message(payload, files, creating=True)
            msg = self._new_message(
                channel,
                payload,
                files,
                source="interaction",
                author=self.bot_user.to_payload(),
                flags=int(payload.get("flags") or 0) & allowed_flags,
                msg_type=20 if inter.type == 2 else 0,
                interaction_id=inter.id,
                extra=self._interaction_extra(inter),
            )
            inter.original = msg
        elif ctype == 5:
            flags = int((data or {}).get("flags") or 0) & EPHEMERAL
            msg = self._new_message(
                channel,
                {},
                [],
                source="interaction",
                author=self.bot_user.to_payload(),
                flags=flags | LOADING,
                msg_type=20 if inter.type == 2 else 0,
                interaction_id=inter.id,
                extra=self._interaction_extra(inter),
            )
            inter.original = msg
        elif ctype in (6, 7):
            if inter.message is None:
                raise form_error(
                    "type", "INTERACTION_CALLBACK_TYPE_INVALID", "no message to update"
                )
            msg = inter.message
            inter.original = msg
            if ctype == 7:
                await self._edit_message(msg, data or {}, files, via="interaction_update")
        elif ctype == 8:
            choices = (data or {}).get("choices")
            if not isinstance(choices, list):
                raise form_error("data.choices", "BASE_TYPE_REQUIRED", "This field is required")
            if len(choices) > 25:
                raise form_error(
                    "data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
                )
        elif ctype == 9 and (not data or not data.get("custom_id") or not data.get("title")):
            raise form_error("data", "BASE_TYPE_REQUIRED", "custom_id and title are required")
        cb = InteractionCallback(type=ctype, data=data, message=msg, files=[f for _, f in files])
        inter.callbacks.append(cb)
        self._notifier.notify()
        if ctype == 4 and msg is not None:
            await self._announce("MESSAGE_CREATE", msg)
        return cb

    async def _create_followup(
        self,
        inter: FakeInteraction,
        payload: dict[str, Any],
        files: list[tuple[str, RecordedAttachment]],
    ) -> RecordedMessage:
        if self.validate_messages:
            validate_message(payload, files, creating=True)
        orig = inter.original
        cb = inter.callback
        if orig is not None and orig.loading and cb is not None and cb.type == 5:
            # Discord: the first follow-up after a "thinking" deferral replaces the
            # placeholder (keeping the deferral's ephemeral state).
            edit = {k: v for k, v in payload.items() if k != "flags"}
            edit.setdefault("content", "")
            edit.setdefault("embeds", [])
            edit.setdefault("components", [])
            await self._edit_message(orig, edit, files, via="followup")
            msg = orig
        else:
            channel = self.get_channel(inter.channel_id)
            assert channel is not None
            msg = self._new_message(
                channel,
                payload,
                files,
                source="followup",
                author=self.bot_user.to_payload(),
                flags=int(payload.get("flags") or 0) & (_ALLOWED_CREATE_FLAGS | EPHEMERAL),
                interaction_id=inter.id,
                extra=self._interaction_extra(inter),
            )
            await self._announce("MESSAGE_CREATE", msg)
        inter.followups.append(msg)
        self._notifier.notify()
        return msg


def _uid(value: Any) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, RecordedMessage):
        return value.id
    return int(value.id)


def _normalize_embed(embed: dict[str, Any]) -> dict[str, Any]:
    out = dict(embed)
    out.setdefault("type", "rich")
    for key in ("image", "thumbnail"):
        if isinstance(out.get(key), dict):
            out[key] = {**out[key], "proxy_url": out[key].get("url")}
    return out


def _normalize_poll(poll: dict[str, Any]) -> dict[str, Any]:
    out = dict(poll)
    hours = int(out.pop("duration", 24) or 24)
    expiry = _dt.datetime.now(_dt.UTC) + _dt.timedelta(hours=hours)
    out.setdefault("expiry", expiry.isoformat())
    answers = []
    for i, ans in enumerate(out.get("answers", []), start=1):
        answers.append({"answer_id": i, **ans})
    out["answers"] = answers
    out.setdefault("results", {"is_finalized": False, "answer_counts": []})
    return out


def _validate_options(options: list[Any], where: str, *, depth: int) -> None:
    if len(options) > 25:
        raise form_error(where, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    seen: set[str] = set()
    optional_seen = False
    for i, opt in enumerate(options):
        path = f"{where}.{i}"
        name = opt.get("name") or ""
        if not _NAME_RE.match(name) or name != name.lower():
            raise form_error(f"{path}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid name")
        if name in seen:
            raise form_error(
                f"{path}.name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Duplicate name"
            )
        seen.add(name)
        desc = opt.get("description") or ""
        if not 1 <= len(desc) <= 100:
            raise form_error(
                f"{path}.description",
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        otype = int(opt.get("type", 0))
        if not 1 <= otype <= 11:
            raise form_error(f"{path}.type", "BASE_TYPE_CHOICES", "Value must be one of 1..11.")
        if otype in (1, 2):
            if depth >= 2 or (otype == 2 and depth >= 1):
                raise form_error(f"{path}.type", "APPLICATION_COMMAND_TOO_DEEP", "Too deep")
            _validate_options(opt.get("options") or [], f"{path}.options", depth=depth + 1)
            continue
        if len(opt.get("choices") or []) > 25:
            raise form_error(f"{path}.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer.")
        if opt.get("required"):
            if optional_seen:
                raise form_error(
                    f"{path}.required",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
