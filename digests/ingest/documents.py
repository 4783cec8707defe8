"""From a raw document (a file, a page, a feed entry, pasted text) to clean, dated posts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from digests.errors import InputError
from digests.i18n import message
from digests.ingest.boilerplate import strip_boilerplate
from digests.ingest.dates import FoundDate, as_of_date, opening_date, url_date
from digests.ingest.splitter import DocumentItem, split_items
from digests.ingest.text import (
    clip,
    content_hash,
    count_words,
    detect_language,
    http_url,
    normalize_text,
)
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


# Page furniture that stands above a post's headline in pasted or extracted text.
_CHROME_LINES = {
    "menu", "news", "home", "share", "print", "print the page", "key points", "반응형", "카테고리 없음",
    "본문 바로가기", "메뉴", "홈", "목록", "전체보기", "공유하기", "구독하기", "728x90", "advertisement",
    "skip to content", "skip to main content", "subscribe", "sign in", "log in", "로그인",
}  # fmt: skip
_GREETING = re.compile(
    r"^(?:안녕하세요|안녕하십니까|반갑습니다|hello|hi|hey|dear|good\s+(?:morning|evening))\b"
    r"|구독자\s*여러분|독자\s*여러분|이웃님",
    re.IGNORECASE,
)
_BYLINE_LIKE = re.compile(
    r"\b(?:19|20)\d{2}\s*[.\-/]\s*\d{1,2}\s*[.\-/]\s*\d{1,2}|\b(?:19|20)\d{2}년\s*\d{1,2}월\s*\d{1,2}일"
    r"|^(?:by|posted|published|updated|written by)\b"
    r"|^\d{1,2}/\d{1,2}/\d{2,4}\b|^date\s+\d{4}-\d{2}-\d{2}\b|^\s*입력\s",
    re.IGNORECASE,
)
_HEADLINE_LOOKAHEAD = 8


def _is_chrome(line: str) -> bool:
    """A line of page furniture, a hashtag list, a byline or a greeting, not a headline."""
    bare = line.strip().strip("#*=-_|•·").strip()
    return (
        not bare
        or bare.casefold() in _CHROME_LINES
        or bool(re.fullmatch(r"(?:#\S+\s*)+", line.strip()))
        or bool(re.fullmatch(r"[\d\sx×:/.,-]+", bare))
        or (
            bool(_BYLINE_LIKE.search(bare))
            and len(re.findall(r"[^\s|·•,]+", _BYLINE_LIKE.sub(" ", bare))) <= 4
        )
        or bool(_GREETING.search(bare))
        or bare.startswith("<?xml")
    )


def _is_label(line: str) -> bool:
    """A site name or category ("투자기록노트", "미국증시 분석", "주식 분석(KOR)"): a word or two,
    no figures or punctuation a headline would carry."""
    bare = line.strip()
    return len(bare.split()) <= 2 and len(bare) <= 16 and not re.search(r"[\d:?!\"“”‘’'\[\]]", bare)


def _is_headline(line: str) -> bool:
    """A line that can be the post's own headline: short, not prose, not furniture."""
    bare = line.strip()
    return (
        0 < len(bare) <= _TITLE_MAX
        and not bare.endswith(("다.", "요.", "니다.", "죠."))
        and not (len(bare) > 60 and bare.endswith("."))
        and not _is_chrome(bare)
        and not _is_label(bare)
    )


def _names_site_or_category(title: str) -> bool:
    """A page title that is furniture or a Korean blog's site or category name ("반응형",
    "미국증시 분석"); a short Latin title ("HBM outlook") may be a real headline, so it stays."""
    return _is_chrome(title) or (_is_label(title) and not re.search(r"[A-Za-z]", title))


def headline(text: str) -> str | None:
    """The post's own headline among its first lines, skipping page furniture, site names,
    categories, bylines and greetings; None when no line reads as one."""
    lines = [line.strip() for line in text.split("\n") if line.strip()][:_HEADLINE_LOOKAHEAD]
    label = None
    for line in lines:
        if len(line) > 200 or (len(line) > 80 and line.endswith((".", "다", "요"))):
            break  # the body has begun
        if _is_headline(line):
            return line
        if label is None and _is_label(line) and not _is_chrome(line):
            label = line
    # A name alone above a byline ("한화오션" / "전문가 | 2026-01-12") when nothing else heads it.
    return label


def _title_and_body(text: str) -> tuple[str, str]:
    """The post's headline among its first lines is the title (the line is dropped from the
    body when it opens it); otherwise the first sentence, clipped, names the post."""
    first, _, rest = text.partition("\n")
    first = first.strip()
    found = headline(text)
    if found is not None:
        if found == first and rest.strip():
            return found, rest.strip()
        return found, text
    lines = [line.strip() for line in text.split("\n")]
    prose = next(
        (
            line
            for line in lines
            if line and not _is_chrome(line) and not _is_label(line) and not _GREETING.match(line)
        ),
        first,
    )
    if (
        prose == first
        and rest.strip()
        and 0 < len(first) <= _TITLE_MAX
        and not first.endswith(("다.", "요."))
    ):
        return first, rest.strip()
    sentence = _SENTENCE_END.split(prose, maxsplit=1)[0]
    return clip(sentence, 80), text


_AUTHOR_EDGE = " \t·•|/,;:-–—=@"


def clean_author(author: str | None) -> str | None:
    """An author name without the separators a byline put around it ("홍길동 ·" → "홍길동",
    "| Jane Doe |" → "Jane Doe"); None when nothing is left."""
    if author is None:
        return None
    cleaned = re.sub(r"\s+", " ", author).strip(_AUTHOR_EDGE)
    return cleaned or None


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
    min_words: int = 0,
) -> list[Post]:
    """Clean, split and date a document. Raises InputError when no text is left, or when the
    document (title and text) has fewer than `min_words` real words.

    `split=False` keeps the document one post (a feed entry is one item by definition).
    `not_after` (ingestion time) bounds dates inferred from a post's text or address."""
    text = normalize_text(document.text)
    if not text:
        raise InputError(document.source, message("ingest_error.empty"))
    text = strip_boilerplate(text)
    if not text:
        raise InputError(document.source, message("ingest_error.furniture"))
    if min_words:
        words = count_words(text) + count_words(document.title or "")
        if words < min_words:
            raise InputError(
                document.source,
                message(
                    f"ingest_error.too_few_words.{'one' if words == 1 else 'many'}",
                    count=words,
                    needed=min_words,
                ),
            )
    canonical_url = http_url(document.canonical_url)
    items = split_items(text, zone) if split else [DocumentItem(text)]
    single = len(items) == 1
    posts = []
    for number, item in enumerate(items, start=1):
        own = headline(item.text) if single and document.title else None
        if own and not _is_label(own) and _names_site_or_category(document.title or ""):
            # The page names its site or category ("미국증시"); the text carries the headline.
            title, body = own, item.text
        elif single and document.title:
            title, body = document.title, item.text
        else:
            title, body = _title_and_body(item.text)
        canonical = canonical_url
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
                author=clean_author(item.author or document.author or found_author),
                published=published,
                published_source=source,
                lang=detect_language(body),
                text=body,
                content_hash=content_hash(body),
            )
        )
    return posts
