"""Settings: every field documented in .env.example, lists and secrets read from the environment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from digests.errors import InputError
from digests.settings import Settings, load_settings
from tests.conftest import REPO


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    documented = re.findall(r"^([A-Z_]+)=", (REPO / ".env.example").read_text(), re.MULTILINE)
    assert sorted(documented) == sorted(name.upper() for name in Settings.model_fields)


def test_env_example_is_a_valid_configuration(tmp_path: Path) -> None:
    example = (REPO / ".env.example").read_text()
    env_file = tmp_path / ".env"
    env_file.write_text(example.replace("sqlite:///data/", f"sqlite:///{tmp_path}/"))
    settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert settings.discord_token is None  # an empty line means "not set"
    assert settings.reminder_followup_days == [7, 30]
    assert settings.default_timezone == "Asia/Seoul"


def test_lists_and_secrets_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_GUILD_IDS", "12, 34 56")
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.discord_guild_ids == [12, 34, 56]
    assert "abc.def" not in repr(settings)
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == "abc.def"


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Base", "unknown timezone"),
        ("DATABASE_URL", "mysql://bot@db/hindsight", "neither sqlite:///PATH nor postgresql://"),
        ("DATABASE_URL", "postgresql://bot@db.example", "no database name after the host"),
        ("DATABASE_URL", "postgresql:///hindsight", "no host"),
        ("DATABASE_URL", "postgresql://bot@db:99999/hindsight", "Port out of range"),
        ("FEED_POLL_MINUTES", "0", "greater than or equal to 1"),
    ],
)
def test_bad_values_are_refused_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, reason: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=reason):
        Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://bot:secret@db.example:5432/hindsight",
        "postgres://bot@127.0.0.1/hindsight?sslmode=disable",
        "sqlite:///data/hindsight.db",
    ],
)
def test_postgresql_and_sqlite_urls_are_accepted(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == url
    assert settings.is_postgresql == url.startswith("postgres")


def test_a_bad_database_url_is_refused_naming_it_without_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:s3cret@db.example:5432")
    with pytest.raises(InputError) as caught:
        load_settings()
    message = caught.value.user_message
    assert "DATABASE_URL" in message
    assert "postgresql://bot:***@db.example:5432" in message
    assert "no database name" in message
    assert "s3cret" not in message


@pytest.mark.parametrize(
    "hosts",
    ["intranet, 127.0.0.1:8080", "[::1]:8080 ::1", "blog.test:65535"],
)
def test_allowed_hosts_may_name_ports(monkeypatch: pytest.MonkeyPatch, hosts: str) -> None:
    monkeypatch.setenv("FETCH_ALLOWED_HOSTS", hosts)
    assert Settings(_env_file=None).fetch_allowed_hosts == hosts.replace(",", " ").split()  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("127.0.0.1:http", "'http' is not a port"),
        ("host:0", "'0' is not a port"),
        ("[::1", "unclosed ["),
        ("[::1]8080", "expected :PORT after ]"),
        ("http://host/", "is not a host, host:port or [IPv6]:port"),
    ],
)
def test_a_bad_allowed_host_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, entry: str, reason: str
) -> None:
    monkeypatch.setenv("FETCH_ALLOWED_HOSTS", entry)
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert reason in str(caught.value) and entry in str(caught.value)


def test_min_document_words_is_a_non_negative_number(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).min_document_words == 10  # type: ignore[call-arg]
    monkeypatch.setenv("MIN_DOCUMENT_WORDS", "-1")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)  # type: ignore[call-arg]
