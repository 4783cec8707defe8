"""One message catalog per language: every word Hindsight shows a reader.

Each language has one TOML file beside this module (`en.toml`, `ko.toml`), loaded once per
process. Keys are dotted (`delivery.reminder_title`), values `str.format` templates; a test
checks that every key exists in every language with the same placeholders. The language of a
member's command reply follows their Discord locale; what the bot posts to a channel follows the
server's language setting. Unknown languages read English.
"""

from __future__ import annotations

import functools
import json
import string
import tomllib
from importlib import resources
from typing import Any

LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        elif isinstance(value, str):
            flat[name] = value
        else:
            raise ValueError(f"catalog entry {name!r} is not text")
    return flat


@functools.cache
def messages(language: str) -> dict[str, str]:
    """Every message of one language's catalog file, by dotted key (read once)."""
    if language not in LANGUAGES:
        raise ValueError(f"no message catalog for language {language!r}")
    text = resources.files(__package__).joinpath(f"{language}.toml").read_text("utf-8")
    return _flatten(tomllib.loads(text))


def placeholders(template: str) -> set[str]:
    """The `str.format` field names a template uses ("{count}" → {"count"})."""
    return {
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(template)
        if field is not None
    }


def language_for(locale: object) -> str:
    """Our language for a Discord locale or a stored setting: "ko" for "ko"/"ko-KR", else "en"."""
    code = str(getattr(locale, "value", locale) or "").strip().lower()
    base = code.replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


class Catalog:
    """The messages of one language, with English behind any key it lacks."""

    def __init__(self, language: str) -> None:
        self.language = language_for(language)
        self._messages = messages(self.language)
        self._fallback = messages(DEFAULT_LANGUAGE)

    def raw(self, key: str) -> str:
        """A message's template, unformatted (a KeyError for a key no catalog has: a bug)."""
        found = self._messages.get(key)
        return found if found is not None else self._fallback[key]

    def get(self, key: str, default: str | None = None) -> str | None:
        """A message's template, or `default` when no catalog has the key."""
        found = self._messages.get(key, self._fallback.get(key))
        return found if found is not None else default

    def __call__(self, key: str, /, **values: object) -> str:
        """A message with its placeholders filled: `words("delivery.reminder_title", id=3)`."""
        template = self.raw(key)
        return template.format(**values) if values else template

    def plural(self, count: int, key: str, /, **values: object) -> str:
        """`key + ".one"` for exactly one, else `key + ".many"`, filled with `count`."""
        return self(f"{key}.{'one' if count == 1 else 'many'}", count=count, **values)


@functools.cache
def catalog(language: object = DEFAULT_LANGUAGE) -> Catalog:
    """The catalog for a language or Discord locale (English for anything unknown)."""
    return Catalog(language_for(language))


class Message(str):
    """A catalog message that remembers its key: as a `str` it is the English text (logs, the
    terminal, stored reasons), and `in_language` writes it for a reader. Errors raised deep in
    the domain carry one, so the error funnel can answer each member in their language."""

    key: str
    values: dict[str, object]

    def __new__(cls, key: str, /, **values: object) -> Message:
        """The message `key` with its placeholders filled (values may be Messages too)."""
        text = str.__new__(cls, _filled(catalog(DEFAULT_LANGUAGE), key, values))
        text.key = key
        text.values = values
        return text

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt from its key and values (a parser in a worker process raises these).
        return (_rebuilt, (self.key, self.values))

    def in_language(self, language: object) -> str:
        """The message in a language (or Discord locale); English for anything unknown."""
        return _filled(catalog(language), self.key, self.values)


def _rebuilt(key: str, values: dict[str, object]) -> Message:
    return Message(key, **values)


def _written(value: object, language: str) -> object:
    # A list of messages ("Send Messages, Embed Links") is written as one, comma-separated.
    if isinstance(value, list | tuple):
        return ", ".join(str(_written(item, language)) for item in value)
    return value.in_language(language) if isinstance(value, Message) else value


def _filled(words: Catalog, key: str, values: dict[str, object]) -> str:
    written = {name: _written(value, words.language) for name, value in values.items()}
    return words(key, **written) if written else words.raw(key)


def message(key: str, /, **values: object) -> Message:
    """A catalog message to raise or return before the reader's language is known:
    `raise NotFound(message("error.no_post", post=3))`."""
    return Message(key, **values)


def in_language(text: str, language: object) -> str:
    """`text` for a reader: a Message in their language, any other text as it is."""
    return text.in_language(language) if isinstance(text, Message) else text


# A catalog message kept in the database (a feed's last error, a job's failure, why reminders
# are held) is stored as this prefix and a JSON object with its key, values and English text,
# so each reader sees it in their language later. Anything else stored there (text from before
# messages were stored this way, a library's own words) is shown as it is.
_STORED_PREFIX = "i18n:"


def _stored_value(value: object) -> object:
    if isinstance(value, Message):
        return {"key": value.key, "values": {k: _stored_value(v) for k, v in value.values.items()}}
    if isinstance(value, list | tuple):
        return [_stored_value(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return str(value) if isinstance(value, str) else value
    return str(value)


def to_stored(text: str | None, limit: int | None = None) -> str | None:
    """Text for a database column: a Message as its key, values and English text (see
    `from_stored`); any other text as it is. With `limit`, a message too long to keep whole
    is kept as its English text, cut to `limit` characters."""
    if not isinstance(text, Message):
        return text if text is None or limit is None else text[:limit]
    stored = _STORED_PREFIX + json.dumps(
        {**_stored_value(text), "text": str(text)},  # type: ignore[dict-item]
        ensure_ascii=False,
        separators=(",", ":"),
    )
    if limit is not None and len(stored) > limit:
        return str(text)[:limit]
    return stored


def _revived(value: object) -> object:
    if isinstance(value, dict) and isinstance(value.get("key"), str):
        values = value.get("values")
        written = (
            {name: _revived(item) for name, item in values.items()}
            if isinstance(values, dict)
            else {}
        )
        return Message(value["key"], **written)
    if isinstance(value, list):
        return [_revived(item) for item in value]
    return value


def from_stored(text: str | None) -> str | None:
    """A database column's text back as it was stored: a Message again (written in each
    reader's language by `in_language`), or plain text as it is. A stored message whose key
    the catalog no longer has reads as the English text kept with it."""
    if text is None or not text.startswith(_STORED_PREFIX):
        return text
    try:
        stored = json.loads(text[len(_STORED_PREFIX) :])
    except ValueError:
        return text
    if not isinstance(stored, dict):
        return text
    try:
        revived = _revived(stored)
    except (KeyError, IndexError, ValueError, TypeError):
        revived = None
    if isinstance(revived, Message):
        return revived
    english = stored.get("text")
    return english if isinstance(english, str) else text
