"""From a raw document (a file, a page, a feed entry, pasted text) to clean, dated posts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from digests.errors import InputError
from digests.ingest.boilerplate import strip_boilerplate
from digests.ingest.dates import FoundDate, as_of_date, opening_date, url_date
from digests.ingest.splitter import DocumentItem, split_items
from digests.ingest.text import clip, content_hash, detect_language, normalize_text
from digests.models import DateSource, Post, SourceKind

_TITLE_MAX = 120
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s|(?<=다\.)|(?<=요\.)")


@dataclass(frozen=True)
class RawDocument:
    """A document as loaded, before cleaning and splitting. `text` is plain text."""

    source: str
    source_kind: SourceKind
    text: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    canonical_url: str | None = None
    published_source: DateSource = DateSource.METADATA  # how `published` was known, if set


def _title_and_body(text: str) -> tuple[str, str]:
    """A short first line is the title; otherwise the first sentence, clipped, names the post."""
    first, _, rest = text.partition("\n")
    first = first.strip()
    if rest.strip() and 0 < len(first) <= _TITLE_MAX and not first.endswith(("다.", "요.")):
        return first, rest.strip()
    sentence = _SENTENCE_END.split(first, maxsplit=1)[0]
    return clip(sentence, 80), text


def _plausible(found: FoundDate | None, not_after: datetime | None) -> FoundDate | None:
    if found is None or (not_after is not None and found.published > not_after):
        return None
    return found


def _publication_date(
    item: DocumentItem,
    document: RawDocument,
    single: bool,
    zone: ZoneInfo,
    fallback: datetime | None,
    not_after: datetime | None,
) -> tuple[datetime | None, DateSource, str | None]:
    """When an item was published, how that was known, and an author found on the way.

    Most direct evidence first: the item's own byline or date line, the page's metadata, a
    dated line where the item opens, its address, a "기준"/"as of" date in its opening, and
    only then the date a person gave. Dates read from text or an address later than
    `not_after` are not publication dates (a "2026.03.31 기준" target, a typo) and are skipped."""
    if item.published is not None:
        return item.published, DateSource.TEXT, None
    if single and document.published is not None:
        return document.published, document.published_source, None
    opening = _plausible(opening_date(item.text, zone), not_after)
    if opening is not None:
        return opening.published, DateSource.TEXT, opening.author
    if single:
        # A file's own name is not an address (a download folder says nothing of the post).
        source_url = document.source if document.source_kind is not SourceKind.FILE else None
        address = _plausible(
            url_date(document.canonical_url, zone) or url_date(source_url, zone), not_after
        )
        if address is not None:
            return address.published, DateSource.URL, None
    as_of = _plausible(as_of_date(item.text, zone), not_after)
    if as_of is not None:
        return as_of.published, DateSource.TEXT, None
    if fallback is not None:
        return fallback, DateSource.GIVEN, None
    return None, DateSource.UNKNOWN, None


def build_posts(
    document: RawDocument,
    guild_id: int,
    zone: ZoneInfo,
    fallback_published: datetime | None = None,
    *,
    split: bool = True,
    not_after: datetime | None = None,
) -> list[Post]:
    """Clean, split and date a document. Raises InputError when no text is left.

    `split=False` keeps the document one post (a feed entry is one item by definition).
    `not_after` (ingestion time) bounds dates inferred from a post's text or address."""
    text = normalize_text(document.text)
    if not text:
        raise InputError(document.source, "empty: there is no text to ingest")
    text = strip_boilerplate(text)
    if not text:
        raise InputError(document.source, "nothing but page furniture (menus, forms, widgets)")
    items = split_items(text, zone) if split else [DocumentItem(text)]
    single = len(items) == 1
    posts = []
    for number, item in enumerate(items, start=1):
        if single and document.title:
            title, body = document.title, item.text
        else:
            title, body = _title_and_body(item.text)
        canonical = document.canonical_url
        if canonical and not single:
            canonical = f"{canonical}#item-{number}"
        published, source, found_author = _publication_date(
            item, document, single, zone, fallback_published, not_after
        )
        posts.append(
            Post(
                guild_id=guild_id,
                source=document.source,
                source_kind=document.source_kind,
                canonical_url=canonical,
                title=title,
                author=item.author or document.author or found_author,
                published=published,
                published_source=source,
                lang=detect_language(body),
                text=body,
                content_hash=content_hash(body),
            )
        )
    return posts
