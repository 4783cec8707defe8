"""From a raw document (a file, a page, a feed entry, pasted text) to clean, dated posts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from digests.errors import InputError
from digests.ingest.boilerplate import strip_boilerplate
from digests.ingest.splitter import DocumentItem, split_items
from digests.ingest.text import (
    clip,
    content_hash,
    count_words,
    detect_language,
    http_url,
    normalize_text,
)
from digests.models import Post, SourceKind

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


def _title_and_body(text: str) -> tuple[str, str]:
    """A short first line is the title; otherwise the first sentence, clipped, names the post."""
    first, _, rest = text.partition("\n")
    first = first.strip()
    if rest.strip() and 0 < len(first) <= _TITLE_MAX and not first.endswith(("다.", "요.")):
        return first, rest.strip()
    sentence = _SENTENCE_END.split(first, maxsplit=1)[0]
    return clip(sentence, 80), text


def build_posts(
    document: RawDocument,
    guild_id: int,
    zone: ZoneInfo,
    fallback_published: datetime | None = None,
    *,
    split: bool = True,
    min_words: int = 0,
) -> list[Post]:
    """Clean, split and date a document. Raises InputError when no text is left, or when the
    document (title and text) has fewer than `min_words` real words.

    `split=False` keeps the document one post (a feed entry is one item by definition)."""
    text = normalize_text(document.text)
    if not text:
        raise InputError(document.source, "empty: there is no text to ingest")
    text = strip_boilerplate(text)
    if not text:
        raise InputError(document.source, "nothing but page furniture (menus, forms, widgets)")
    if min_words:
        words = count_words(text) + count_words(document.title or "")
        if words < min_words:
            raise InputError(
                document.source,
                f"too little text: {words} real word{'s' if words != 1 else ''},"
                f" at least {min_words} needed (MIN_DOCUMENT_WORDS)",
            )
    canonical_url = http_url(document.canonical_url)
    items = split_items(text, zone) if split else [DocumentItem(text)]
    single = len(items) == 1
    posts = []
    for number, item in enumerate(items, start=1):
        if single and document.title:
            title, body = document.title, item.text
        else:
            title, body = _title_and_body(item.text)
        canonical = canonical_url
        if canonical and not single:
            canonical = f"{canonical}#item-{number}"
        published = item.published or (document.published if single else None)
        posts.append(
            Post(
                guild_id=guild_id,
                source=document.source,
                source_kind=document.source_kind,
                canonical_url=canonical,
                title=title,
                author=item.author or document.author,
                published=published or fallback_published,
                lang=detect_language(body),
                text=body,
                content_hash=content_hash(body),
            )
        )
    return posts
