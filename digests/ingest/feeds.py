"""RSS/Atom parsing (feedparser) and the pure policy for polling feeds that keep failing.

feedparser is always given bytes so that it honours the XML encoding declaration. When the
declared encoding does not fit, feedparser falls back to windows-1252 and produces mojibake;
Korean feeds do this all the time (declared EUC-KR, CP949-only syllables inside). Such feeds are
decoded with `decode_bytes` instead and handed back to feedparser as UTF-8.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser

from digests.errors import InputError
from digests.ingest.decode import decode_bytes

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


def looks_like_feed(content_type: str, body: bytes) -> bool:
    """Whether a response is an RSS/Atom feed, by media type or by sniffing its root element.

    Feed media types always count; generic XML counts unless its root is some other document
    (a sitemap, XHTML); anything else (servers label feeds text/html or text/plain) is sniffed.
    """
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in _FEED_MEDIA_TYPES:
        return True
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
        return "unknown error"
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
    except (TypeError, ValueError, IndexError):
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
            return datetime(*struct[:6], tzinfo=UTC)
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


def _entry(entry: Any) -> FeedEntry:
    title = _clean(entry.get("title")) or ""
    link = _clean(entry.get("link"))
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


def parse_feed(body: bytes, subject: str) -> ParsedFeed:
    """Parse RSS/Atom `body` (bytes, so the XML encoding declaration is honoured).

    Raises InputError naming `subject` when the XML is broken beyond recovery or is not a
    feed. A valid feed with no entries is fine; recoverable damage is tolerated.
    """
    if not isinstance(body, bytes):
        raise TypeError("parse_feed needs bytes: feedparser treats a str as a URL or path")
    if not body.strip():
        raise InputError(subject, "malformed feed XML: empty document")
    parsed = feedparser.parse(body)
    if isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride):
        # feedparser fell back to a guessed codec; decode as we do everywhere else instead.
        text = decode_bytes(body, subject, _declared_encoding(body))
        parsed = feedparser.parse(_with_utf8_declaration(text))
    if not parsed.entries:
        if parsed.bozo:
            reason = _short_reason(parsed.get("bozo_exception"))
            raise InputError(subject, f"malformed feed XML: {reason}")
        if not parsed.get("version"):
            raise InputError(subject, "malformed feed XML: not an RSS or Atom feed")
    feed = parsed.feed
    return ParsedFeed(
        title=_clean(feed.get("title")) or "",
        link=_clean(feed.get("link")),
        entries=[_entry(entry) for entry in parsed.entries],
    )


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
