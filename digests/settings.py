"""The one settings object, read from the environment and `.env`, built once and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from digests.dates import DEFAULT_HORIZON_YEARS, parse_timezone
from digests.errors import InputError


def _split_list(value: object) -> object:
    """Accept comma- or space-separated lists from the environment as well as real lists."""
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    return value


def split_host_port(entry: str) -> tuple[str, int | None]:
    """A FETCH_ALLOWED_HOSTS entry (`host`, `host:port`, `[v6]:port` or a bare IPv6 address) as
    (host, port or None). Raises ValueError naming the entry when it is neither."""
    text = entry.strip()
    if not text or "/" in text or "@" in text:
        raise ValueError(f"{entry!r} is not a host, host:port or [IPv6]:port")
    host, port_text = text, None
    if text.startswith("["):
        end = text.find("]")
        if end == -1:
            raise ValueError(f"{entry!r}: unclosed [ in an IPv6 address")
        host, rest = text[1:end], text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"{entry!r}: expected :PORT after ]")
            port_text = rest[1:]
    elif text.count(":") == 1:  # more colons than one: a bare IPv6 address, without a port
        host, port_text = text.split(":")
    if not host:
        raise ValueError(f"{entry!r} is not a host, host:port or [IPv6]:port")
    if port_text is None:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"{entry!r}: {port_text!r} is not a port (1-65535)")
    return host, int(port_text)


POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")


def check_database_url(value: str) -> str:
    """`value` when it is a usable DATABASE_URL, else ValueError naming the URL (its password
    hidden) and what is wrong: `sqlite:///PATH` or
    `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?options]`."""
    if value.startswith("sqlite:///"):
        return value
    if not value.startswith(POSTGRESQL_SCHEMES):
        shown = value.split("://", 1)[0] + "://…" if "://" in value else repr(value)
        raise ValueError(
            f"{shown} is neither sqlite:///PATH nor postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
        )
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as error:
        raise ValueError(f"{_redacted(value)}: {error}") from error
    if not parts.hostname and "host=" not in parts.query:
        reason = "no host (postgresql://USER:PASSWORD@HOST:PORT/DATABASE)"
    elif not parts.path.strip("/"):
        reason = "no database name after the host (…@HOST:PORT/DATABASE)"
    elif "/" in parts.path.strip("/"):
        reason = f"{parts.path!r} is not a database name"
    elif port is not None and not 0 < port < 65536:
        reason = f"{port} is not a port (1-65535)"
    else:
        return value
    raise ValueError(f"{_redacted(value)}: {reason}")


def _redacted(url: str) -> str:
    """A URL with its password (if any) shown as ***."""
    head, separator, tail = url.partition("://")
    if "@" not in tail:
        return url
    credentials, _, rest = tail.rpartition("@")
    if ":" in credentials:
        credentials = credentials.split(":", 1)[0] + ":***"
    return f"{head}{separator}{credentials}@{rest}"


class Settings(BaseSettings):
    """Everything Hindsight can be configured with. See `.env.example` for each setting."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,  # `SETTING=` in .env means "use the default"
    )

    database_url: str = "sqlite:///data/hindsight.db"
    discord_token: SecretStr | None = None
    discord_guild_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    discord_shard_count: int | None = Field(default=None, ge=1)
    discord_shard_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    discord_sync_commands: bool = True
    discord_ingest_links: bool = False
    discord_ingest_channel_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    default_timezone: str = "Asia/Seoul"
    default_guild_id: int = 0
    max_forecast_horizon_years: int = Field(default=DEFAULT_HORIZON_YEARS, ge=1, le=150)

    fetch_timeout_seconds: float = Field(default=15.0, gt=0)
    max_document_bytes: int = Field(default=5_000_000, gt=0)
    min_document_words: int = Field(default=10, ge=0)
    fetch_max_redirects: int = Field(default=5, ge=0)
    fetch_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    fetch_user_agent: str = "HindsightBot/0.1 (+https://github.com/hindsight)"

    feed_poll_minutes: int = Field(default=30, ge=1)
    feed_backoff_base_minutes: int = Field(default=5, ge=1)
    feed_disable_after_hours: int = Field(default=48, ge=1)

    reminder_followup_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [7, 30])
    reminder_sweep_seconds: int = Field(default=30, ge=1)
    reminder_grouping: Literal["grouped", "single"] = "grouped"
    outbox_max_attempts: int = Field(default=8, ge=1)
    # Several processes on one store: each names itself (a restarted process takes back at once
    # what it had in flight), and work another process holds is left alone until its lease ends.
    worker_id: str | None = Field(default=None, min_length=1, max_length=100)
    lease_seconds: int = Field(default=300, ge=5)
    digest_default_days: int = Field(default=7, ge=1)

    log_level: str = "INFO"

    @field_validator(
        "discord_guild_ids",
        "discord_shard_ids",
        "discord_ingest_channel_ids",
        "fetch_allowed_hosts",
        "reminder_followup_days",
        mode="before",
    )
    @classmethod
    def _lists_from_text(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("fetch_allowed_hosts")
    @classmethod
    def _hosts_with_optional_ports(cls, value: list[str]) -> list[str]:
        for entry in value:
            split_host_port(entry)
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            parse_timezone(value, "DEFAULT_TIMEZONE")
        except InputError as error:
            raise ValueError(f"unknown timezone: {error.reason}") from error
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        return check_database_url(value)

    @property
    def is_postgresql(self) -> bool:
        """True when the store is a PostgreSQL server rather than a SQLite file."""
        return self.database_url.startswith(POSTGRESQL_SCHEMES)

    @property
    def database_shown(self) -> str:
        """`database_url` as it may be shown or logged: its password (if any) as ***."""
        return _redacted(self.database_url)

    @property
    def database_path(self) -> str:
        """The SQLite path from `database_url` (`:memory:` allowed). Only for SQLite URLs."""
        if self.is_postgresql:
            raise ValueError("DATABASE_URL names a PostgreSQL server, not a SQLite file")
        path = self.database_url.removeprefix("sqlite:///")
        return path or ":memory:"

    @property
    def worker_name(self) -> str:
        """This process's name in outbox claims and leases: WORKER_ID, else one derived from
        the shards it runs (`shards-0,2`), else `main` (one process)."""
        if self.worker_id:
            return self.worker_id
        if self.discord_shard_ids:
            return "shards-" + ",".join(str(shard) for shard in sorted(self.discord_shard_ids))
        return "main"

    @property
    def timezone(self) -> ZoneInfo:
        """The default timezone as a ZoneInfo."""
        return ZoneInfo(self.default_timezone)

    def ensure_database_folder(self) -> None:
        """Create the folder that will hold the SQLite file (nothing for PostgreSQL)."""
        if not self.is_postgresql and self.database_path != ":memory:":
            Path(self.database_path).parent.mkdir(parents=True, exist_ok=True)


def load_settings() -> Settings:
    """Settings from the environment and `.env`; a setting that is wrong becomes an InputError
    naming the setting and the reason (never echoing its value: it may hold a password)."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']).upper() or 'settings'}:"
            f" {problem['msg'].removeprefix('Value error, ')}"
            for problem in error.errors(include_input=False, include_url=False)
        )
        raise InputError("settings", problems) from None
