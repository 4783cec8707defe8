"""The fake REST API (``/api/v10/...``) as an aiohttp application."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .models import Perm
from .records import EPHEMERAL, RecordedAttachment, RecordedRequest

if TYPE_CHECKING:
    from .interactions import FakeInteraction
    from .server import FakeDiscord

__all__ = ["API_PREFIX", "ApiError", "RestApi", "json_response"]

API_PREFIX = "/api/v10"


class ApiError(Exception):
    """A Discord-style JSON error (always 4xx: discord.py retries 5xx with long sleeps)."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        """JSON body of the error response."""
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            data["errors"] = self.errors
        return data


def form_error(field: str, code: str, message: str) -> ApiError:
    """A ``50035 Invalid Form Body`` error for one (dotted) field."""
    errors: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(field.split(".")):
        errors = {part: errors}
    return ApiError(400, 50035, "Invalid Form Body", errors)


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON response with a bare ``application/json`` content type (discord.py requires it)."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def no_content() -> web.Response:
    """An empty 204."""
    return web.Response(status=204)


async def _read_body(request: web.Request) -> tuple[Any, list[tuple[str, RecordedAttachment]]]:
    """Parse a JSON or ``multipart/form-data`` (``payload_json`` + ``files[n]``) body."""
    ctype = request.content_type
    if ctype == "multipart/form-data":
        form = await request.post()
        payload: Any = None
        files: list[tuple[str, RecordedAttachment]] = []
        for name, value in form.items():
            if isinstance(value, web.FileField):
                data = value.file.read()
                files.append(
                    (
                        name,
                        RecordedAttachment(
                            id=0,
                            filename=value.filename,
                            data=data,
                            content_type=value.content_type,
                        ),
                    )
                )
            elif name == "payload_json":
                payload = json.loads(value)
        return payload, files
    raw = await request.read()
    if not raw:
        return None, []
    if ctype == "application/json":
        try:
            return json.loads(raw), []
        except ValueError:
            raise ApiError(400, 50109, "The request body contains invalid JSON.") from None
    return None, []


class RestApi:
    """Route table + handlers. All state lives on the :class:`FakeDiscord`."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    # -- application ------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        """The aiohttp application (REST, attachments, CDN stub and gateway websocket)."""
        app = web.Application(middlewares=[self._middleware], client_max_size=128 * 1024 * 1024)
        p = API_PREFIX
        r = app.router
        gw = self.fake._gateway.handle
        r.add_get("/gateway", gw)
        r.add_get("/gateway-resume", gw)
        r.add_get("/attachments/{attachment_id}/{filename}", self.get_attachment)
        routes: list[tuple[str, str, Any]] = [
            ("GET", "/users/@me", self.get_me),
            ("GET", "/users/{user_id}", self.get_user),
            ("POST", "/users/@me/channels", self.create_dm),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            ("GET", "/applications/{app_id}/commands", self.get_commands),
            ("PUT", "/applications/{app_id}/commands", self.put_commands),
            ("POST", "/applications/{app_id}/commands", self.post_command),
            ("GET", "/applications/{app_id}/commands/{command_id}", self.get_command),
            ("PATCH", "/applications/{app_id}/commands/{command_id}", self.patch_command),
            ("DELETE", "/applications/{app_id}/commands/{command_id}", self.delete_command),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands", self.get_commands),
            ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", self.put_commands),
            ("POST", "/applications/{app_id}/guilds/{guild_id}/commands", self.post_command),
            (
                "GET",
                "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}",
                self.get_command,
            ),
            (
                "PATCH",
                "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}",
                self.patch_command,
            ),
            (
                "DELETE",
                "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}",
                self.delete_command,
            ),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self.interaction_callback),
            ("POST", "/webhooks/{app_id}/{token}", self.execute_webhook),
            ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self.get_webhook_message),
            (
                "PATCH",
                "/webhooks/{app_id}/{token}/messages/{message_id}",
                self.edit_webhook_message,
            ),
            (
                "DELETE",
                "/webhooks/{app_id}/{token}/messages/{message_id}",
                self.delete_webhook_message,
            ),
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("GET", "/channels/{channel_id}/messages", self.get_messages),
            ("POST", "/channels/{channel_id}/messages", self.create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            ("POST", "/channels/{channel_id}/typing", self.typing),
            (
                "PUT",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self.add_reaction,
            ),
            (
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self.remove_reaction,
            ),
            ("GET", "/guilds/{guild_id}", self.get_guild),
            ("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self.get_guild_roles),
            ("GET", "/guilds/{guild_id}/members", self.get_guild_members),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_guild_member),
        ]
        for method, path, handler in routes:
            r.add_route(method, p + path, handler)
        r.add_route("*", "/{tail:.*}", self.unknown)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        fake = self.fake
        path = request.path
        if path.startswith("/gateway"):
            return await handler(request)
        api_path = path[len(API_PREFIX) :] if path.startswith(API_PREFIX + "/") else path
        rec = RecordedRequest(request.method, api_path, dict(request.query))
        fake.requests.append(rec)
        request["record"] = rec
        try:
            try:
                body, files = await _read_body(request)
                rec.json = body
                rec.files = [f for _, f in files]
                request["body"] = body
                request["files"] = files
                if path.startswith(API_PREFIX + "/") and not self._is_token_route(api_path):
                    auth = request.headers.get("Authorization")
                    if auth != f"Bot {fake.token}":
                        raise ApiError(401, 0, "401: Unauthorized")
                failure = fake._match_failure(request.method, api_path)
                if failure is not None:
                    raise ApiError(failure.status, failure.code, failure.message)
                resp = await handler(request)
            except ApiError as exc:
                resp = json_response(exc.body(), exc.status)
            except web.HTTPException:
                raise
            except Exception as exc:
                fake._record_error(f"{request.method} {api_path}: {exc!r}")
                resp = json_response(
                    {"message": f"fake discord internal error: {exc!r}", "code": 0}, 400
                )
            rec.status = resp.status
            if isinstance(resp, web.Response) and resp.body is not None and resp.status != 204:
                try:
                    rec.response = json.loads(resp.body)  # type: ignore[arg-type]
                except (TypeError, ValueError):
                    rec.response = None
            return resp
        finally:
            fake._notifier.notify()

    @staticmethod
    def _is_token_route(api_path: str) -> bool:
        return api_path.startswith("/webhooks/") or api_path.startswith("/interactions/")

    async def unknown(self, request: web.Request) -> web.Response:
        """Anything not implemented: 404 JSON, recorded in ``fake.unhandled_requests``."""
        self.fake.unhandled_requests.append(request["record"])
        raise ApiError(404, 0, "404: Not Found")

    # -- helpers ----------------------------------------------------------------------------

    def _app_check(self, request: web.Request) -> None:
        if int(request.match_info["app_id"]) != self.fake.application_id:
            raise ApiError(404, 10002, "Unknown Application")

    def _interaction_for_token(self, request: web.Request) -> FakeInteraction:
        fake = self.fake
        if int(request.match_info["app_id"]) != fake.application_id:
            raise ApiError(404, 10015, "Unknown Webhook")
        inter = fake._interactions_by_token.get(request.match_info["token"])
        if inter is None or not inter.callbacks:
            raise ApiError(404, 10015, "Unknown Webhook")
        return inter

    @staticmethod
    def _snowflake(request: web.Request, key: str, code: int, what: str) -> int:
        try:
            return int(request.match_info[key])
        except ValueError:
            raise ApiError(404, code, f"Unknown {what}") from None

    # -- users / application / gateway --------------------------------------------------------

    async def get_me(self, request: web.Request) -> web.Response:
        """``GET /users/@me``."""
        data = self.fake.bot_user.to_payload()
        data.update(verified=True, mfa_enabled=False, flags=0, email=None, locale="en-US")
        return json_response(data)

    async def get_user(self, request: web.Request) -> web.Response:
        """``GET /users/{id}``."""
        uid = self._snowflake(request, "user_id", 10013, "User")
        user = self.fake.get_user(uid)
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return json_response(user.to_payload())

    async def create_dm(self, request: web.Request) -> web.Response:
        """``POST /users/@me/channels``: open (or return) the DM channel with a user."""
        body = request["body"] or {}
        try:
            uid = int(body["recipient_id"])
        except (KeyError, TypeError, ValueError):
            raise form_error(
                "recipient_id", "BASE_TYPE_REQUIRED", "This field is required"
            ) from None
        user = self.fake.get_user(uid)
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        channel = self.fake.dm_channel(uid)
        data = channel.to_payload()
        data["recipients"] = [user.to_payload()]
        return json_response(data)

    async def get_application(self, request: web.Request) -> web.Response:
        """``GET /oauth2/applications/@me``."""
        fake = self.fake
        return json_response(
            {
                "id": str(fake.application_id),
                "name": fake.application_name,
                "icon": None,
                "description": "",
                "summary": "",
                "rpc_origins": [],
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": fake.owner.to_payload(),
                "verify_key": "0" * 64,
                "team": None,
                "flags": fake.application_flags,
                "interactions_endpoint_url": None,
                "bot": fake.bot_user.to_payload(),
                "approximate_guild_count": len(fake.guilds),
                "redirect_uris": [],
                "tags": [],
            }
        )

    async def get_gateway(self, request: web.Request) -> web.Response:
        """``GET /gateway``."""
        return json_response({"url": self.fake.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        """``GET /gateway/bot`` (``shards`` = ``recommended_shards``)."""
        fake = self.fake
        return json_response(
            {
                "url": fake.gateway_url,
                "shards": fake.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14400000,
                    "max_concurrency": 1,
                },
            }
        )

    # -- application commands -----------------------------------------------------------------

    def _scope(self, request: web.Request) -> int | None:
        self._app_check(request)
        gid = request.match_info.get("guild_id")
        if gid is None:
            return None
        guild_id = int(gid)
        if self.fake.get_guild(guild_id) is None:
            raise ApiError(403, 50001, "Missing Access")
        return guild_id

    async def get_commands(self, request: web.Request) -> web.Response:
        """``GET`` global or guild commands."""
        scope = self._scope(request)
        return json_response(self.fake.synced_commands(scope))

    async def put_commands(self, request: web.Request) -> web.Response:
        """Bulk overwrite global or guild commands (what ``tree.sync()`` does)."""
        scope = self._scope(request)
        body = request["body"]
        if not isinstance(body, list):
            raise form_error("_", "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return json_response(self.fake._store_commands(scope, body, replace=True))

    async def post_command(self, request: web.Request) -> web.Response:
        """Create/upsert one command."""
        scope = self._scope(request)
        body = request["body"]
        if not isinstance(body, dict):
            raise form_error("_", "DICT_TYPE_CONVERT", "Only dictionaries may be used")
        return json_response(self.fake._store_commands(scope, [body], replace=False)[0], 201)

    def _find_command(self, request: web.Request) -> tuple[int | None, dict[str, Any]]:
        scope = self._scope(request)
        cid = request.match_info["command_id"]
        for cmd in self.fake._commands.get(scope, []):
            if cmd["id"] == cid:
                return scope, cmd
        raise ApiError(404, 10063, "Unknown application command")

    async def get_command(self, request: web.Request) -> web.Response:
        """``GET`` one command."""
        _, cmd = self._find_command(request)
        return json_response(cmd)

    async def patch_command(self, request: web.Request) -> web.Response:
        """``PATCH`` one command."""
        scope, cmd = self._find_command(request)
        merged = {**cmd, **(request["body"] or {})}
        return json_response(self.fake._store_commands(scope, [merged], replace=False)[0])

    async def delete_command(self, request: web.Request) -> web.Response:
        """``DELETE`` one command."""
        scope, cmd = self._find_command(request)
        self.fake._commands[scope] = [c for c in self.fake._commands[scope] if c is not cmd]
        return no_content()

    # -- interactions ---------------------------------------------------------------------------

    async def interaction_callback(self, request: web.Request) -> web.Response:
        """``POST /interactions/{id}/{token}/callback``."""
        fake = self.fake
        try:
            iid = int(request.match_info["interaction_id"])
        except ValueError:
            raise ApiError(404, 10062, "Unknown interaction") from None
        inter = fake._interactions.get(iid)
        if inter is None or inter.token != request.match_info["token"]:
            raise ApiError(404, 10062, "Unknown interaction")
        if inter.callbacks:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if fake.interaction_deadline is not None:
            elapsed = fake._loop_time() - inter.created_at
            if elapsed > fake.interaction_deadline:
                raise ApiError(404, 10062, "Unknown interaction")
        body = request["body"]
        if not isinstance(body, dict) or "type" not in body:
            raise form_error("type", "BASE_TYPE_REQUIRED", "This field is required")
        files = request["files"]
        cb = await fake._handle_callback(inter, int(body["type"]), body.get("data"), files)
        if request.query.get("with_response") not in ("1", "true", "True"):
            return no_content()
        msg = cb.message
        resource: dict[str, Any] = {"type": cb.type}
        if msg is not None and cb.type in (4, 5, 7):
            resource["message"] = fake._message_payload(msg)
        return json_response(
            {
                "interaction": {
                    "id": str(inter.id),
                    "type": inter.type,
                    "activity_instance_id": None,
                    "response_message_id": str(msg.id) if msg is not None else None,
                    "response_message_loading": cb.type == 5,
                    "response_message_ephemeral": bool(
                        (msg.flags if msg is not None else 0) & EPHEMERAL
                    ),
                },
                "resource": resource,
            }
        )

    async def execute_webhook(self, request: web.Request) -> web.Response:
        """``POST /webhooks/{app}/{token}``: an interaction follow-up."""
        inter = self._interaction_for_token(request)
        body = request["body"]
        if not isinstance(body, dict):
            body = {}
        msg = await self.fake._create_followup(inter, body, request["files"])
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(self.fake._message_payload(msg))
        return no_content()

    def _webhook_message(self, request: web.Request, inter: FakeInteraction) -> Any:
        mid = request.match_info["message_id"]
        if mid == "@original":
            msg = inter.original
        else:
            try:
                wanted = int(mid)
            except ValueError:
                raise ApiError(404, 10008, "Unknown Message") from None
            candidates = [inter.original, *inter.followups]
            msg = next((m for m in candidates if m is not None and m.id == wanted), None)
        if msg is None or msg.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        """``GET /webhooks/{app}/{token}/messages/{id|@original}``."""
        inter = self._interaction_for_token(request)
        return json_response(self.fake._message_payload(self._webhook_message(request, inter)))

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        """``PATCH /webhooks/{app}/{token}/messages/{id|@original}``."""
        inter = self._interaction_for_token(request)
        msg = self._webhook_message(request, inter)
        body = request["body"] if isinstance(request["body"], dict) else {}
        await self.fake._edit_message(msg, body, request["files"], via="webhook")
        return json_response(self.fake._message_payload(msg))

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        """``DELETE /webhooks/{app}/{token}/messages/{id|@original}``."""
        inter = self._interaction_for_token(request)
        msg = self._webhook_message(request, inter)
        await self.fake._delete_message(msg)
        return no_content()

    # -- channels / messages ---------------------------------------------------------------------

    def _channel(self, request: web.Request, *, need: int = 0) -> Any:
        fake = self.fake
        cid = self._snowflake(request, "channel_id", 10003, "Channel")
        channel = fake.get_channel(cid)
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        if channel.guild_id is not None and fake.enforce_permissions:
            guild = fake.get_guild(channel.guild_id)
            perms = guild.permissions_for(fake.bot_user.id, cid) if guild else 0
            if not perms & Perm.VIEW_CHANNEL:
                raise ApiError(403, 50001, "Missing Access")
            if need and (perms & need) != need:
                raise ApiError(403, 50013, "Missing Permissions")
        return channel

    def _message(self, request: web.Request, channel_id: int) -> Any:
        mid = self._snowflake(request, "message_id", 10008, "Message")
        msg = self.fake._messages.get(mid)
        if msg is None or msg.deleted or msg.channel_id != channel_id:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    async def get_channel(self, request: web.Request) -> web.Response:
        """``GET /channels/{id}``."""
        channel = self._channel(request)
        data = channel.to_payload()
        if channel.type == 1 and channel.recipient_id is not None:
            user = self.fake.get_user(channel.recipient_id)
            data["recipients"] = [user.to_payload()] if user else []
        return json_response(data)

    async def get_messages(self, request: web.Request) -> web.Response:
        """``GET /channels/{id}/messages`` (newest first; ``limit``/``before``/``after``)."""
        channel = self._channel(request, need=Perm.READ_MESSAGE_HISTORY)
        q = request.query
        msgs = [m for m in self.fake.messages_in(channel.id) if not m.ephemeral]
        if "before" in q:
            msgs = [m for m in msgs if m.id < int(q["before"])]
        if "after" in q:
            msgs = [m for m in msgs if m.id > int(q["after"])]
        limit = int(q.get("limit", 50))
        msgs = sorted(msgs, key=lambda m: m.id, reverse=True)
        if "after" in q:
            msgs = sorted(msgs, key=lambda m: m.id)[:limit]
            msgs.reverse()
        else:
            msgs = msgs[:limit]
        return json_response([self.fake._message_payload(m) for m in msgs])

    async def get_message(self, request: web.Request) -> web.Response:
        """``GET /channels/{id}/messages/{mid}``."""
        channel = self._channel(request, need=Perm.READ_MESSAGE_HISTORY)
        return json_response(self.fake._message_payload(self._message(request, channel.id)))

    async def create_message(self, request: web.Request) -> web.Response:
        """``POST /channels/{id}/messages`` (JSON or multipart with files)."""
        fake = self.fake
        files = request["files"]
        need = Perm.SEND_MESSAGES | (Perm.ATTACH_FILES if files else 0)
        channel = self._channel(request, need=need)
        if channel.type == 1 and channel.recipient_id is not None:
            failure = fake._dm_failures.get(channel.recipient_id)
            if failure is not None:
                raise ApiError(failure.status, failure.code, failure.message)
        if channel.type not in (0, 1, 2, 5, 10, 11, 12, 13):
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        body = request["body"] if isinstance(request["body"], dict) else {}
        nonce = _nonce(body)
        if nonce is not None and body.get("enforce_nonce"):
            # Discord returns the earlier message with this nonce from the same author (within
            # its window) instead of creating a second one.
            earlier = fake._message_with_nonce(fake.bot_user.id, nonce)
            if earlier is not None:
                fake.nonce_repeats.append(earlier)
                return json_response({**fake._message_payload(earlier), "nonce": nonce})
        msg = await fake._create_bot_message(channel, body, files, nonce=nonce)
        await fake._hold_created(msg)
        data = fake._message_payload(msg)
        if nonce is not None:
            data["nonce"] = nonce
        return json_response(data)

    async def edit_message(self, request: web.Request) -> web.Response:
        """``PATCH /channels/{id}/messages/{mid}``."""
        channel = self._channel(request)
        msg = self._message(request, channel.id)
        if msg.author_id != self.fake.bot_user.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        body = request["body"] if isinstance(request["body"], dict) else {}
        await self.fake._edit_message(msg, body, request["files"], via="channel")
        return json_response(self.fake._message_payload(msg))

    async def delete_message(self, request: web.Request) -> web.Response:
        """``DELETE /channels/{id}/messages/{mid}``."""
        channel = self._channel(request)
        msg = self._message(request, channel.id)
        if msg.author_id != self.fake.bot_user.id and channel.guild_id is not None:
            self._channel(request, need=Perm.MANAGE_MESSAGES)
        await self.fake._delete_message(msg)
        return no_content()

    async def typing(self, request: web.Request) -> web.Response:
        """``POST /channels/{id}/typing``."""
        self._channel(request, need=Perm.SEND_MESSAGES)
        return no_content()

    async def add_reaction(self, request: web.Request) -> web.Response:
        """``PUT .../reactions/{emoji}/@me``."""
        channel = self._channel(request, need=Perm.ADD_REACTIONS | Perm.READ_MESSAGE_HISTORY)
        msg = self._message(request, channel.id)
        emoji = request.match_info["emoji"]
        if emoji not in msg.reactions:
            msg.reactions.append(emoji)
        return no_content()

    async def remove_reaction(self, request: web.Request) -> web.Response:
        """``DELETE .../reactions/{emoji}/@me``."""
        channel = self._channel(request)
        msg = self._message(request, channel.id)
        emoji = request.match_info["emoji"]
        if emoji in msg.reactions:
            msg.reactions.remove(emoji)
        return no_content()

    # -- guilds -------------------------------------------------------------------------------------

    def _guild(self, request: web.Request) -> Any:
        gid = self._snowflake(request, "guild_id", 10004, "Guild")
        guild = self.fake.get_guild(gid)
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        return guild

    async def get_guild(self, request: web.Request) -> web.Response:
        """``GET /guilds/{id}``."""
        return json_response(self._guild(request).to_rest_payload())

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        """``GET /guilds/{id}/channels``."""
        return json_response([c.to_payload() for c in self._guild(request).channels])

    async def get_guild_roles(self, request: web.Request) -> web.Response:
        """``GET /guilds/{id}/roles``."""
        return json_response([r.to_payload() for r in self._guild(request).roles])

    async def get_guild_members(self, request: web.Request) -> web.Response:
        """``GET /guilds/{id}/members`` (``limit``/``after``)."""
        guild = self._guild(request)
        after = int(request.query.get("after", 0))
        limit = int(request.query.get("limit", 1))
        members = sorted((m for m in guild.members if m.id > after), key=lambda m: m.id)
        return json_response([m.to_payload() for m in members[:limit]])

    async def get_guild_member(self, request: web.Request) -> web.Response:
        """``GET /guilds/{id}/members/{uid}``."""
        guild = self._guild(request)
        uid = self._snowflake(request, "user_id", 10007, "Member")
        member = guild.get_member(uid)
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return json_response(member.to_payload())

    # -- files ----------------------------------------------------------------------------------------

    async def get_attachment(self, request: web.Request) -> web.Response:
        """Serve an attachment's bytes (attachment URLs point here)."""
        try:
            att = self.fake._attachments.get(int(request.match_info["attachment_id"]))
        except ValueError:
            att = None
        if att is None:
            self.fake.unhandled_requests.append(request["record"])
            raise ApiError(404, 0, "404: Not Found")
        return web.Response(
            body=att.data, headers={"Content-Type": att.content_type or "application/octet-stream"}
        )


def _nonce(body: dict[str, Any]) -> str | None:
    """A create-message ``nonce`` as Discord checks it: an integer or a string of at most 25
    characters (answered with 50035 otherwise)."""
    nonce = body.get("nonce")
    if nonce is None:
        return None
    if isinstance(nonce, bool) or not isinstance(nonce, str | int):
        raise form_error("nonce", "BASE_TYPE_BAD_TYPE", "Must be a string or an integer.")
    if isinstance(nonce, str) and len(nonce) > 25:
        raise form_error("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    return str(nonce)


def validate_message(payload: dict[str, Any], files: list[Any], *, creating: bool) -> None:
    """Raise :class:`ApiError` for payloads real Discord rejects (length limits, empty...)."""
    content = payload.get("content")
    if content is not None and not isinstance(content, str):
        raise form_error("content", "STRING_TYPE_CONVERT", "Could not interpret as string.")
    if content and len(content) > 2000:
        raise form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        raise form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    limits = {"title": 256, "description": 4096}
    for i, embed in enumerate(embeds):
        for key, limit in limits.items():
            value = embed.get(key) or ""
            total += len(value)
            if len(value) > limit:
                raise form_error(
                    f"embeds.{i}.{key}",
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise form_error(
                f"embeds.{i}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        for j, fld in enumerate(fields):
            name, value = fld.get("name"), fld.get("value")
            if not name or not value:
                raise form_error(
                    f"embeds.{i}.fields.{j}", "BASE_TYPE_REQUIRED", "This field is required"
                )
            if len(name) > 256 or len(value) > 1024:
                raise form_error(
                    f"embeds.{i}.fields.{j}", "BASE_TYPE_MAX_LENGTH", "Field too long."
                )
            total += len(name) + len(value)
        footer = (embed.get("footer") or {}).get("text") or ""
        author = (embed.get("author") or {}).get("name") or ""
        if len(footer) > 2048 or len(author) > 256:
            raise form_error(f"embeds.{i}", "BASE_TYPE_MAX_LENGTH", "Footer/author too long.")
        total += len(footer) + len(author)
    if total > 6000:
        raise form_error(
            "embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )
    components = payload.get("components") or []
    flags = int(payload.get("flags") or 0)
    v2 = bool(flags & (1 << 15))
    if not v2:
        if len(components) > 5:
            raise form_error("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        for i, row in enumerate(components):
            if row.get("type") != 1:
                raise form_error(
                    f"components.{i}.type", "UNION_TYPE_CHOICES", "Value of field must be 1."
                )
            if len(row.get("components") or []) > 5:
                raise form_error(
                    f"components.{i}.components",
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 5 or fewer in length.",
                )
    seen: set[str] = set()

    def walk(items: list[Any], where: str) -> None:
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            cid = item.get("custom_id")
            if cid is not None:
                if len(cid) > 100:
                    raise form_error(
                        f"{where}.{i}.custom_id",
                        "BASE_TYPE_MAX_LENGTH",
                        "Must be 100 or fewer in length.",
                    )
                if cid in seen:
                    raise form_error(
                        f"{where}.{i}.custom_id",
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                seen.add(cid)
            if item.get("type") == 2 and len(item.get("label") or "") > 80:
                raise form_error(
                    f"{where}.{i}.label", "BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length."
                )
            for key in ("components", "items"):
                if isinstance(item.get(key), list):
                    walk(item[key], f"{where}.{i}.{key}")
            for key in ("accessory", "component"):
                if isinstance(item.get(key), dict):
                    walk([item[key]], f"{where}.{i}.{key}")

    walk(components, "components")
    am = payload.get("allowed_mentions")
    if isinstance(am, dict):
        parse = am.get("parse") or []
        for kind in ("users", "roles"):
            if kind in parse and am.get(kind):
                raise form_error(
                    f"allowed_mentions.{kind}",
                    "MUTUALLY_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                )
    if creating:
        has_body = (
            bool(content)
            or bool(embeds)
            or bool(files)
            or bool(components)
            or bool(payload.get("sticker_ids"))
            or payload.get("poll") is not None
        )
        if not has_body:
            raise ApiError(400, 50006, "Cannot send an empty message")
