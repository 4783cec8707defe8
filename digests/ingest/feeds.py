"""RSS/Atom (feedparser) and JSON Feed parsing, and the pure policy for feeds that keep failing.

feedparser is always given bytes so that it honours the XML encoding declaration. When the
declared encoding does not fit, feedparser falls back to windows-1252 and produces mojibake;
Korean feeds do this all the time (declared EUC-KR, CP949-only syllables inside). Such feeds are
decoded with `decode_bytes` instead and handed back to feedparser as UTF-8.

A feed is data from strangers: `parse_feed` turns every way of failing into an InputError naming
the feed, and its cost grows linearly with the input. feedparser's own HTML sanitiser (an SGML
parser that is quadratic on unclosed comments) is switched off: entry HTML is reduced to plain
text by `fragment_text`, and nothing a feed says is ever rendered as HTML.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser

from digests.errors import InputError, input_failures
from digests.i18n import message
from digests.ingest.decode import decode_bytes
from digests.ingest.text import http_url, without_surrogates

FEED_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,"
    "application/xml;q=0.8,text/xml;q=0.8,*/*;q=0.1"
)

_FEED_MEDIA_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/x-rss+xml",
        "application/x-atom+xml",
    }
)
_JSON_FEED_TYPES = frozenset({"application/feed+json", "application/json"})
_JSON_FEED_VERSION = b"jsonfeed.org/version/"
_GENERIC_XML_TYPES = frozenset({"application/xml", "text/xml"})
_FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
_SNIFF_BYTES = 4096
_PROLOGUE = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)", re.DOTALL | re.IGNORECASE)
_ROOT_TAG = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")
_XML_ENCODING = re.compile(
    rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])""", re.IGNORECASE
)
# Korean and Japanese feeds write these zone names, which RFC 822 parsers do not know.
_NAMED_ZONES = {"KST": "+0900", "JST": "+0900"}
_TRAILING_ZONE = re.compile(r"\b([A-Z]{3})\s*$")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Numeric character references; feedparser raises on those naming no XML character.
_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));")
_REPLACEMENT_REFERENCE = b"&#xFFFD;"
_LINK_MAX_CHARS = 2000


@dataclass(frozen=True)
class FeedEntry:
    """One feed item, normalised."""

    key: str
    title: str
    link: str | None
    author: str | None
    published: datetime | None
    content: str
    content_is_html: bool


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its title, site link and entries in document order."""

    title: str
    link: str | None
    entries: list[FeedEntry]


def _root_element(body: bytes) -> str | None:
    head = body[:_SNIFF_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    position = 0
    while match := _PROLOGUE.match(text, position):
        position = match.end()
    root = _ROOT_TAG.match(text, position)
    if root is None:
        return None
    return root.group(1).rsplit(":", 1)[-1].lower()


def _is_json_feed(body: bytes) -> bool:
    head = body[:_SNIFF_BYTES].lstrip(codecs.BOM_UTF8).lstrip()
    return head.startswith(b"{") and _JSON_FEED_VERSION in head


def looks_like_feed(content_type: str, body: bytes) -> bool:
    """Whether a response is a feed (RSS, Atom or JSON Feed), by media type or by sniffing.

    Feed media types always count; generic XML counts unless its root is some other document
    (a sitemap, XHTML); JSON counts when it names a jsonfeed.org version; anything else (servers
    label feeds text/html or text/plain) is sniffed.
    """
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in _FEED_MEDIA_TYPES or media_type == "application/feed+json":
        return True
    if _is_json_feed(body):
        return media_type in _JSON_FEED_TYPES or media_type in {"", "text/plain"}
    root = _root_element(body)
    if root in _FEED_ROOTS:
        return True
    if media_type in _GENERIC_XML_TYPES or media_type.endswith("+xml"):
        return root is None
    return False


def _with_utf8_declaration(text: str) -> bytes:
    data = text.encode("utf-8")
    return _XML_ENCODING.sub(rb"\1utf-8\3", data, count=1)


def _declared_encoding(body: bytes) -> str | None:
    match = _XML_ENCODING.match(body.lstrip(codecs.BOM_UTF8))
    return match.group(2).decode("ascii").lower() if match else None


def _short_reason(error: BaseException | None) -> str:
    if error is None:
        return message("feed_error.unknown")
    if isinstance(error, xml.sax.SAXParseException):
        # Positions are left out: feedparser may have rewritten the XML declaration first.
        return error.getMessage()
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:120]


def _parse_date_text(raw: str) -> datetime | None:
    raw = raw.strip()
    zone = _TRAILING_ZONE.search(raw)
    if zone and zone.group(1) in _NAMED_ZONES:
        raw = raw[: zone.start()] + _NAMED_ZONES[zone.group(1)]
    parsed: datetime | None = None
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _entry_date(entry: Any) -> datetime | None:
    for field in ("published", "updated", "created"):
        raw = entry.get(field)
        if raw:
            # The raw text keeps the feed's own offset (often +09:00), which feedparser drops.
            parsed = _parse_date_text(raw)
            if parsed is not None:
                return parsed
        struct = entry.get(f"{field}_parsed")
        if struct:
            try:
                return datetime(*struct[:6], tzinfo=UTC)
            except (TypeError, ValueError, OverflowError):
                continue
    return None


def _entry_content(entry: Any) -> tuple[str, bool]:
    candidates: list[tuple[str, str]] = [
        (part.get("value") or "", part.get("type") or "text/html")
        for part in entry.get("content") or []
    ]
    summary = entry.get("summary")
    if summary:
        detail = entry.get("summary_detail") or {}
        candidates.append((summary, detail.get("type") or "text/html"))
    if not candidates:
        return "", False
    value, media_type = max(candidates, key=lambda candidate: len(candidate[0].strip()))
    return value.strip(), media_type.lower() in _HTML_TYPES


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def entry_link(value: object, base: str | None, *, from_guid: bool = False) -> str | None:
    """An entry's web address, made absolute against the feed's own; None when it is no
    http(s) address. A guid that feedparser offers as the link ("m2") is only an identifier, so it
    must already be an absolute address to count."""
    link = _clean(value)
    if link is None or len(link) > _LINK_MAX_CHARS:
        return None
    return http_url(link, None if from_guid else base)


def _entry(entry: Any, base: str | None) -> FeedEntry:
    title = _clean(entry.get("title")) or ""
    link = entry_link(entry.get("link"), base, from_guid=bool(entry.get("guidislink")))
    content, is_html = _entry_content(entry)
    author = _clean((entry.get("author_detail") or {}).get("name")) or _clean(entry.get("author"))
    key = _clean(entry.get("id")) or link
    if key is None:
        key = hashlib.sha256(f"{title}\n{content}".encode()).hexdigest()
    return FeedEntry(
        key=key,
        title=title,
        link=link,
        author=author,
        published=_entry_date(entry),
        content=content,
        content_is_html=is_html,
    )


def _is_xml_character(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _repair_reference(match: re.Match[bytes]) -> bytes:
    hexadecimal, decimal = match.group(1), match.group(2)
    digits = (hexadecimal or decimal).lstrip(b"0") or b"0"
    # More digits than any character needs: refuse before int() builds a huge number.
    if len(digits) > (6 if hexadecimal else 7):
        return _REPLACEMENT_REFERENCE
    code = int(digits, 16 if hexadecimal else 10)
    return match.group(0) if _is_xml_character(code) else _REPLACEMENT_REFERENCE


def repair_character_references(body: bytes) -> bytes:
    """Replace numeric character references that name no XML character (`&#99999999;`,
    `&#xD800;`, `&#0;`) by U+FFFD, so one bad reference costs one character, not the feed."""
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = body.decode("utf-16", errors="replace")
        body = _with_utf8_declaration(text)
    return _CHARACTER_REFERENCE.sub(_repair_reference, body)


def _feedparser(body: bytes) -> Any:
    # Sanitising and URI resolution run feedparser's SGML parser over every entry's HTML,
    # which is quadratic on some input; we only ever take plain text out of that HTML.
    return feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)


def _parse_xml_feed(body: bytes, subject: str) -> ParsedFeed:
    body = repair_character_references(body)
    parsed = _feedparser(body)
    if isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride):
        # feedparser fell back to a guessed codec; decode as we do everywhere else instead.
        text = decode_bytes(body, subject, _declared_encoding(body))
        parsed = _feedparser(_with_utf8_declaration(text))
    if not parsed.entries:
        if parsed.bozo:
            reason = _short_reason(parsed.get("bozo_exception"))
            raise InputError(subject, message("feed_error.bad_xml", detail=reason))
        if not parsed.get("version"):
            raise InputError(subject, message("feed_error.not_a_feed"))
    feed = parsed.feed
    link = entry_link(feed.get("link"), subject)
    base = link or http_url(subject, None)
    return ParsedFeed(
        title=_clean(feed.get("title")) or "",
        link=link,
        entries=[_entry(entry, base) for entry in parsed.entries],
    )


def _json_text(value: object) -> str | None:
    # JSON may escape lone surrogates ("\ud800"), which no text can be stored with.
    return _clean(without_surrogates(value)) if isinstance(value, str) else None


def _json_author(item: dict[str, Any]) -> str | None:
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else [item.get("author")]
    for author in candidates:
        name = _json_text(author.get("name")) if isinstance(author, dict) else None
        if name:
            return name
    return None


def _json_entry(item: dict[str, Any], base: str | None) -> FeedEntry | None:
    title = _json_text(item.get("title")) or ""
    html = _json_text(item.get("content_html"))
    text = _json_text(item.get("content_text")) or _json_text(item.get("summary"))
    content, is_html = (html, True) if html else (text or "", False)
    link = entry_link(item.get("url"), base) or entry_link(item.get("external_url"), base)
    raw_id = item.get("id")
    key = _clean(str(raw_id)) if isinstance(raw_id, str | int) else None
    key = key or link or hashlib.sha256(f"{title}\n{content}".encode()).hexdigest()
    published = None
    for field in ("date_published", "date_modified"):
        raw = _json_text(item.get(field))
        published = _parse_date_text(raw) if raw else None
        if published is not None:
            break
    return FeedEntry(
        key=key,
        title=title,
        link=link,
        author=_json_author(item),
        published=published,
        content=content,
        content_is_html=is_html,
    )


def _parse_json_feed(body: bytes, subject: str) -> ParsedFeed:
    """A JSON Feed (https://jsonfeed.org, versions 1 and 1.1)."""
    text = decode_bytes(body, subject)
    try:
        data = json.loads(text)
    except ValueError as error:
        raise InputError(subject, message("feed_error.bad_json", detail=str(error))) from error
    except RecursionError as error:
        raise InputError(subject, message("feed_error.json_too_deep")) from error
    version = data.get("version") if isinstance(data, dict) else None
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise InputError(subject, message("feed_error.json_no_version"))
    items = data.get("items")
    if not isinstance(items, list):
        raise InputError(subject, message("feed_error.json_items"))
    link = entry_link(data.get("home_page_url"), subject)
    base = link or http_url(subject, None)
    entries = [_json_entry(item, base) for item in items if isinstance(item, dict)]
    return ParsedFeed(
        title=_json_text(data.get("title")) or "",
        link=link,
        entries=[entry for entry in entries if entry is not None],
    )


def parse_feed(body: bytes, subject: str) -> ParsedFeed:
    """Parse an RSS/Atom (bytes, so the XML encoding declaration is honoured) or JSON feed.

    Raises InputError naming `subject` when the feed is broken beyond recovery or is not a
    feed, whatever the parser tripped over. A valid feed with no entries is fine; recoverable
    damage (a bad character reference, an unclosed tag) is tolerated. CPU work: call it from a
    worker thread when an event loop is running.
    """
    if not isinstance(body, bytes):
        raise TypeError("parse_feed needs bytes: feedparser treats a str as a URL or path")
    if not body.strip():
        raise InputError(subject, message("feed_error.empty_document"))
    with input_failures(subject, "feed"):
        if _is_json_feed(body):
            return _parse_json_feed(body, subject)
        return _parse_xml_feed(body, subject)


def failure_backoff(failure_count: int, base_minutes: int, cap_minutes: int = 24 * 60) -> timedelta:
    """How long to wait after `failure_count` consecutive failures: base × 2^(n-1), capped.

    No failures means no wait.
    """
    if failure_count <= 0:
        return timedelta(0)
    # Bound the exponent so a long outage cannot build an enormous integer.
    minutes = base_minutes * 2 ** min(failure_count - 1, 32)
    return timedelta(minutes=min(minutes, cap_minutes))


def should_disable(first_failure: datetime, now: datetime, disable_after_hours: int) -> bool:
    """True once a feed has been failing for at least `disable_after_hours` (aware datetimes)."""
    return now - first_failure >= timedelta(hours=disable_after_hours)
