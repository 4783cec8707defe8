"""The fake gateway: sessions (resumable across connections) and websocket connections."""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import uuid
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .records import GatewayEvent

if TYPE_CHECKING:
    from .server import FakeDiscord

__all__ = ["GatewayConnection", "GatewaySession", "Intent"]

log = logging.getLogger("tests.fakediscord.gateway")


class Intent:
    """Gateway intent bits."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


def _make_compressor(kind: str | None) -> Callable[[bytes], bytes] | None:
    """Transport compressor for ``compress=`` (one stream per connection)."""
    if not kind:
        return None
    if kind == "zlib-stream":
        zctx = zlib.compressobj()
        return lambda data: zctx.compress(data) + zctx.flush(zlib.Z_SYNC_FLUSH)
    if kind == "zstd-stream":
        try:
            import zstandard  # type: ignore[import-not-found]
        except ImportError:
            from compression import zstd  # type: ignore[import-not-found]

            sctx = zstd.ZstdCompressor()
            return lambda data: sctx.compress(data, zstd.ZstdCompressor.FLUSH_BLOCK)
        cobj = zstandard.ZstdCompressor().compressobj()
        return lambda data: cobj.compress(data) + cobj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
    raise ValueError(f"unsupported gateway compression {kind!r}")


class GatewayConnection:
    """One websocket connection from a bot (or one shard of it)."""

    def __init__(self, ws: web.WebSocketResponse, compress: str | None, path: str) -> None:
        self.ws = ws
        self.compress = compress
        self.path = path
        self.session: GatewaySession | None = None
        self.server_closed = False
        self._compressor = _make_compressor(compress)
        self._send_lock = asyncio.Lock()

    @property
    def closed(self) -> bool:
        """Whether the websocket is closed (or closing)."""
        return self.ws.closed

    async def send(self, payload: dict[str, Any]) -> None:
        """Send one gateway payload (compressed if the client asked for it)."""
        raw = json.dumps(payload, separators=(",", ":")).encode()
        async with self._send_lock:
            if self.ws.closed:
                raise ConnectionResetError("gateway connection closed")
            if self._compressor is None:
                await self.ws.send_str(raw.decode())
            else:
                await self.ws.send_bytes(self._compressor(raw))

    async def close(self, code: int = 4000, message: str = "") -> None:
        """Close from the server side (the client sees ``code``)."""
        self.server_closed = True
        await self.ws.close(code=code, message=message.encode())


class GatewaySession:
    """A gateway session (what IDENTIFY creates and RESUME re-attaches to).

    Dispatches are numbered and buffered so that a RESUME replays whatever was missed while
    disconnected.
    """

    def __init__(
        self, *, shard_id: int, shard_count: int, intents: int, token: str, sharded: bool
    ) -> None:
        self.id: str = uuid.uuid4().hex
        self.shard_id = shard_id
        self.shard_count = shard_count
        self.sharded = sharded
        self.intents = intents
        self.token = token
        self.seq = 0
        self.conn: GatewayConnection | None = None
        self.invalidated = False
        self.presence: dict[str, Any] | None = None
        self.guild_ids: list[int] = []
        """Guilds announced to this session with GUILD_CREATE (in order)."""
        self.dispatched: list[dict[str, Any]] = []
        """Every dispatch (op 0) payload sent to this session."""
        self._buffer: collections.deque[dict[str, Any]] = collections.deque(maxlen=5000)
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        state = "invalidated" if self.invalidated else ("live" if self.live else "detached")
        return f"<GatewaySession {self.id[:8]} shard={self.shard_id}/{self.shard_count} {state}>"

    @property
    def live(self) -> bool:
        """Connected right now."""
        return self.conn is not None and not self.conn.closed and not self.invalidated

    def has_intent(self, bit: int) -> bool:
        """Whether the IDENTIFY asked for that intent bit."""
        return bool(self.intents & bit)

    def covers_guild(self, guild_id: int) -> bool:
        """Whether events of that guild belong to this session's shard."""
        return (guild_id >> 22) % self.shard_count == self.shard_id

    def events(self, name: str) -> list[dict[str, Any]]:
        """The ``d`` of every dispatched event called ``name``."""
        return [p["d"] for p in self.dispatched if p["t"] == name]

    async def dispatch(self, event: str, data: Any) -> None:
        """Number, buffer and (if connected) send an op 0 dispatch."""
        async with self._lock:
            self.seq += 1
            payload = {"op": 0, "t": event, "s": self.seq, "d": data}
            self._buffer.append(payload)
            self.dispatched.append(payload)
            conn = self.conn
            if conn is not None and not conn.closed:
                try:
                    await conn.send(payload)
                except (ConnectionResetError, RuntimeError):
                    log.debug("session %s: send failed, kept for resume", self.id)

    async def resume_on(self, conn: GatewayConnection, seq: int | None) -> None:
        """Attach ``conn``, replay events after ``seq`` and send RESUMED."""
        async with self._lock:
            self.conn = conn
            conn.session = self
            for payload in list(self._buffer):
                if seq is None or payload["s"] > seq:
                    await conn.send(payload)
            self.seq += 1
            payload = {"op": 0, "t": "RESUMED", "s": self.seq, "d": {"_trace": ["fake-discord"]}}
            self.dispatched.append(payload)
            await conn.send(payload)


class GatewayServer:
    """aiohttp websocket handler implementing the gateway protocol for a :class:`FakeDiscord`."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one gateway websocket connection."""
        fake = self.fake
        query = request.query
        if query.get("v", "10") not in ("9", "10"):
            raise web.HTTPBadRequest(text="unsupported gateway version")
        try:
            compressor_kind = query.get("compress") or None
            _make_compressor(compressor_kind)
        except (ValueError, ImportError) as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None

        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = GatewayConnection(ws, compressor_kind, request.path)
        fake.connections.append(conn)
        try:
            await conn.send(
                {
                    "op": 10,
                    "d": {"heartbeat_interval": fake.heartbeat_interval_ms, "_trace": ["fake"]},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    try:
                        payload = json.loads(msg.data)
                    except ValueError:
                        await conn.close(4002, "Decode error")
                        break
                    await self._on_payload(conn, payload)
                elif msg.type is WSMsgType.BINARY:
                    await conn.close(4002, "Decode error")
                    break
                elif msg.type is WSMsgType.ERROR:
                    break
        except Exception as exc:  # pragma: no cover - recorded for the test to see
            fake._record_error(f"gateway handler crashed: {exc!r}")
            if not ws.closed:
                await ws.close(code=4000)
        finally:
            session = conn.session
            code = ws.close_code
            if session is not None and session.conn is conn:
                session.conn = None
                if not conn.server_closed and code in (1000, 1001):
                    session.invalidated = True
            fake._gateway_event(
                "disconnect",
                session,
                {"code": code, "server_closed": conn.server_closed},
            )
            if conn in fake.connections:
                fake.connections.remove(conn)
        return ws

    async def _on_payload(self, conn: GatewayConnection, payload: dict[str, Any]) -> None:
        fake = self.fake
        op = payload.get("op")
        data = payload.get("d")
        if op == 1:
            await conn.send({"op": 11, "d": None, "s": None, "t": None})
            return
        if op == 2:
            await self._identify(conn, data or {})
            return
        if op == 6:
            await self._resume(conn, data or {})
            return
        session = conn.session
        if session is None:
            await conn.close(4003, "Not authenticated")
            return
        if op == 3:
            session.presence = data
            fake._gateway_event("presence", session, data)
        elif op == 4:
            fake._gateway_event("voice_state", session, data)
        elif op == 8:
            fake._gateway_event("request_members", session, data)
            await fake._answer_member_request(session, data or {})
        else:
            await conn.close(4001, "Unknown opcode")

    async def _identify(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        fake = self.fake
        if conn.session is not None:
            await conn.close(4005, "Already authenticated")
            return
        if data.get("token") != fake.token:
            await conn.close(4004, "Authentication failed")
            return
        shard = data.get("shard")
        sharded = shard is not None
        shard_id, shard_count = (int(shard[0]), int(shard[1])) if shard else (0, 1)
        if shard_count < 1 or not 0 <= shard_id < shard_count:
            await conn.close(4010, "Invalid shard")
            return
        intents = int(data.get("intents", 0))
        if fake.allowed_intents is not None and intents & Intent.PRIVILEGED & ~fake.allowed_intents:
            await conn.close(4014, "Disallowed intent(s)")
            return
        session = GatewaySession(
            shard_id=shard_id,
            shard_count=shard_count,
            intents=intents,
            token=data["token"],
            sharded=sharded,
        )
        # A fresh IDENTIFY for a shard whose previous session is detached means that client
        # is gone (discord.py closes with 4000, which keeps sessions resumable): retire it.
        for old in fake.sessions.values():
            if (
                not old.live
                and not old.invalidated
                and (old.shard_id, old.shard_count) == (shard_id, shard_count)
            ):
                old.invalidated = True
        session.presence = data.get("presence")
        session.conn = conn
        conn.session = session
        fake.sessions[session.id] = session
        fake._gateway_event("identify", session, data)
        guilds = [g for g in fake.guilds if session.covers_guild(g.id)]
        await session.dispatch("READY", fake._ready_payload(session, guilds))
        for guild in guilds:
            session.guild_ids.append(guild.id)
            await session.dispatch("GUILD_CREATE", fake._guild_create_payload(guild, session))

    async def _resume(self, conn: GatewayConnection, data: dict[str, Any]) -> None:
        fake = self.fake
        session = fake.sessions.get(str(data.get("session_id")))
        if (
            session is None
            or session.invalidated
            or data.get("token") != session.token
            or conn.session is not None
        ):
            fake._gateway_event("resume_failed", session, data)
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        old = session.conn
        if old is not None and old is not conn and not old.closed:
            await old.close(4000, "Session resumed elsewhere")
        await session.resume_on(conn, data.get("seq"))
        fake._gateway_event("resume", session, data)


def gateway_event(kind: str, session: GatewaySession | None, data: Any) -> GatewayEvent:
    """Build a :class:`GatewayEvent` for a session."""
    return GatewayEvent(
        kind=kind,
        session_id=session.id if session else None,
        shard=(session.shard_id, session.shard_count) if session else None,
        data=data,
    )
