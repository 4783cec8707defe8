"""Main text and metadata of an HTML page, with trafilatura."""

from __future__ import annotations

import html as html_module
import json
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import trafilatura

from digests.errors import InputError, input_failures
from digests.i18n import message
from digests.ingest.dates import parse_metadata_date
from digests.ingest.text import http_url

# trafilatura reports the publication day only; these tags usually carry the full moment.
_PUBLISHED_META = re.compile(
    r"""<meta[^>]+(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|"""
    r"""datePublished|pubdate|publishdate|date|dc\.date(?:\.issued)?)["'][^>]*>""",
    re.IGNORECASE,
)
_CONTENT_ATTRIBUTE = re.compile(r"""content\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_JSONLD_PUBLISHED = re.compile(r""""datePublished"\s*:\s*"([^"]+)\"""")

_META_TAG = re.compile(r"(?is)<meta\b[^>]*>")
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# Where pages name their author, most specific first.
_AUTHOR_META_KEYS = (
    "author",
    "article:author",
    "byl",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
)
_JSONLD_SCRIPT = re.compile(
    r"""(?is)<script[^>]+type\s*=\s*["']application/ld\+json["'][^>]*>(.*?)</script>"""
)
_BY_PREFIX = re.compile(r"^(?:by|written\s+by|글|작성자)\s*[:|]?\s+", re.IGNORECASE)
_AUTHOR_MAX_CHARS = 100


@dataclass(frozen=True)
class ExtractedPage:
    """What trafilatura found in a page."""

    text: str
    title: str | None
    author: str | None
    published: datetime | None
    canonical_url: str | None


def _precise_published(html: str, day: str | None, zone: ZoneInfo) -> datetime | None:
    candidates: list[str] = []
    for tag in _PUBLISHED_META.findall(html):
        content = _CONTENT_ATTRIBUTE.search(tag)
        if content:
            candidates.append(content.group(1))
    candidates.extend(_JSONLD_PUBLISHED.findall(html))
    for candidate in candidates:
        moment = parse_metadata_date(candidate, zone)
        if moment and (day is None or moment.date().isoformat() == day):
            return moment
    return parse_metadata_date(day, zone) if day else None


def _clean_author(value: str) -> str | None:
    name = _BY_PREFIX.sub("", " ".join(html_module.unescape(value).split()))
    # article:author often holds a profile URL and twitter-style fields a handle, not a name.
    if not name or len(name) > _AUTHOR_MAX_CHARS or "/" in name or name.startswith(("@", "www.")):
        return None
    return name


def _jsonld_authors(node: object) -> list[str]:
    """Author names anywhere in a JSON-LD tree, in document order."""
    if isinstance(node, list):
        return [name for child in node for name in _jsonld_authors(child)]
    if not isinstance(node, dict):
        return []
    if "author" in node:
        names = []
        authors = node["author"]
        for author in authors if isinstance(authors, list) else [authors]:
            value = author.get("name") if isinstance(author, dict) else author
            name = _clean_author(value) if isinstance(value, str) else None
            if name:
                names.append(name)
        if names:
            return names
    return [name for value in node.values() for name in _jsonld_authors(value)]


def page_author(html: str) -> str | None:
    """The author a page declares in its JSON-LD or meta tags, or None."""
    for script in _JSONLD_SCRIPT.findall(html):
        try:
            names = _jsonld_authors(json.loads(script))
        except ValueError:
            continue
        if names:
            return "; ".join(dict.fromkeys(names))
    found: dict[str, str] = {}
    for tag in _META_TAG.findall(html):
        attributes = {
            match.group(1).lower(): match.group(2) or match.group(3) or ""
            for match in _ATTRIBUTE.finditer(tag)
        }
        key = (attributes.get("name") or attributes.get("property") or "").lower()
        name = _clean_author(attributes.get("content") or "")
        if key in _AUTHOR_META_KEYS and name and key not in found:
            found[key] = name
    return next((found[key] for key in _AUTHOR_META_KEYS if key in found), None)


_BLOCK_END = re.compile(
    r"(?i)<\s*(?:br\s*/?|/p|/div|/li|/h[1-6]|/tr|/blockquote|/section|/article)\s*>"
)
# Patterns stop at the next "<": a match attempt never scans past it, so text full of unclosed
# tags (a feed can hold anything) costs linear time, not quadratic.
_TAG = re.compile(r"<[^<>]*>")
_SCRIPT_OPEN = re.compile(r"(?i)<(script|style|noscript)\b[^<>]*>")


def _without_scripts(fragment: str) -> str:
    """The fragment without script/style/noscript elements; an unclosed one runs to the end."""
    lowered = fragment.lower()
    kept: list[str] = []
    position = 0
    while match := _SCRIPT_OPEN.search(fragment, position):
        kept.append(fragment[position : match.start()])
        kept.append(" ")
        close = lowered.find("</" + match.group(1).lower(), match.end())
        end = fragment.find(">", close) if close != -1 else -1
        position = len(fragment) if end == -1 else end + 1
    kept.append(fragment[position:])
    return "".join(kept)


def fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry's content), keeping block breaks as lines.

    Linear in the fragment's length, whatever it holds."""
    text = _without_scripts(fragment)
    text = _BLOCK_END.sub("\n", text)
    text = _TAG.sub(" ", text)
    return html_module.unescape(text)


def extract_html(html: str, url: str | None, subject: str, zone: ZoneInfo) -> ExtractedPage:
    """Extract the article of an HTML page; InputError naming `subject` when it holds no
    readable text or the parser fails on it."""
    with input_failures(subject, "html"):
        return _extract_html(html, url, subject, zone)


def _extract_html(html: str, url: str | None, subject: str, zone: ZoneInfo) -> ExtractedPage:
    result = trafilatura.extract(
        html,
        url=url,
        output_format="json",
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    data = json.loads(result) if result else {}
    text = (data.get("text") or "").strip()
    if not text:
        raise InputError(subject, message("ingest_error.no_readable_html"))
    title = (data.get("title") or "").strip() or None
    first_line, _, rest = text.partition("\n")
    if title and first_line.strip().lstrip("# ").strip() == title and rest.strip():
        text = rest.strip()
    # trafilatura drops one-word names (most Korean names), so the page's own fields back it up.
    author = (data.get("author") or "").strip() or page_author(html)
    return ExtractedPage(
        text=text,
        title=title,
        author=author,
        published=_precise_published(html, data.get("date"), zone),
        canonical_url=http_url(data.get("source"), url) or url,
    )
