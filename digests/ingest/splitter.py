"""Splitting a document into posts: archives of items with bylines, date lines or rules.

A document is split only when its structure says so: horizontal rules whose every part carries
its own date (a byline, a date line or a dated heading), at least two bylines, or at least two
date lines each heading a substantial item. Anything else stays one post (a rule inside one
blog post is just a rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from digests.ingest.dates import parse_byline, parse_date_line

HORIZONTAL_RULE = re.compile(r"^\s*(?:[-_*=~]\s*){3,}$|^\s*[ㅡ─━—–=]{3,}\s*$")
_MIN_ITEM_CHARS = 150
_BRACKETED_DATE = re.compile(
    r"[(\[]\s*((?:19|20)\d{2}\s*[.\-/]\s*\d{1,2}\s*[.\-/]\s*\d{1,2}\.?)\s*[)\]]\s*$"
)
_EDGE_LINES = 3


@dataclass(frozen=True)
class DocumentItem:
    """One post's worth of text, with what its own lines say about author and date."""

    text: str
    author: str | None = None
    published: datetime | None = None


def _join(lines: list[str]) -> str:
    # A rule at the edge of an item separated it from its neighbour; it is not the item's text.
    start, end = 0, len(lines)
    while start < end and (not lines[start].strip() or HORIZONTAL_RULE.match(lines[start])):
        start += 1
    while end > start and (not lines[end - 1].strip() or HORIZONTAL_RULE.match(lines[end - 1])):
        end -= 1
    return "\n".join(lines[start:end]).strip()


def _split_on_bylines(lines: list[str], zone: ZoneInfo) -> list[DocumentItem] | None:
    bylines = [(index, parse_byline(line, zone)) for index, line in enumerate(lines)]
    found = [(index, byline) for index, byline in bylines if byline is not None]
    if len(found) < 2:
        return None
    first_index = found[0][0]
    leading = not _join(lines[:first_index])
    items: list[DocumentItem] = []
    if leading:
        # "NAME DATE" heads each item: the item runs to the next byline.
        bounds = [index for index, _ in found] + [len(lines)]
        for (index, byline), end in zip(found, bounds[1:], strict=False):
            body = _join(lines[index + 1 : end])
            if body:
                items.append(DocumentItem(body, byline.author, byline.published))
        return items
    start = 0
    for index, byline in found:
        body = _join(lines[start:index])
        if body:
            items.append(DocumentItem(body, byline.author, byline.published))
        start = index + 1
    tail = _join(lines[start:])
    if len(tail) >= _MIN_ITEM_CHARS:
        items.append(DocumentItem(tail))
    return items


def _split_on_date_lines(lines: list[str], zone: ZoneInfo) -> list[DocumentItem] | None:
    heads = [
        (index, moment)
        for index, line in enumerate(lines)
        if (moment := parse_date_line(line, zone)) is not None
    ]
    if len(heads) < 2:
        return None
    starts = []
    for index, moment in heads:
        # A short line just above a date line is that item's title.
        title_above = index > 0 and 0 < len(lines[index - 1]) <= 100
        starts.append((index - 1 if title_above else index, index, moment))
    bounds = [start for start, _, _ in starts[1:]] + [len(lines)]
    items = []
    for (start, date_index, moment), end in zip(starts, bounds, strict=True):
        body_lines = lines[start:date_index] + lines[date_index + 1 : end]
        items.append(DocumentItem(_join(body_lines), None, moment))
    preamble = _join(lines[: starts[0][0]])
    if len(preamble) >= _MIN_ITEM_CHARS or any(len(item.text) < _MIN_ITEM_CHARS for item in items):
        return None
    return items


def _edge_dates(text: str, zone: ZoneInfo) -> tuple[str | None, datetime | None]:
    """Author and date from a byline or date line among an item's first or last lines."""
    lines = [line for line in text.split("\n") if line.strip()]
    edges = lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]
    for line in edges:
        byline = parse_byline(line, zone)
        if byline:
            return byline.author, byline.published
    for line in edges:
        moment = parse_date_line(line, zone)
        if moment:
            return None, moment
    for line in lines[:_EDGE_LINES]:
        # "HBM 시장 정리 메모 (2025.11.12)": a heading that carries its date in brackets.
        match = _BRACKETED_DATE.search(line)
        if match:
            moment = parse_date_line(match.group(1), zone)
            if moment:
                return None, moment
    return None, None


def _split_part(lines: list[str], zone: ZoneInfo) -> list[DocumentItem] | None:
    """Items of one rule-separated part, or None when the part carries no date of its own."""
    for strategy in (_split_on_bylines, _split_on_date_lines):
        items = strategy(lines, zone)
        if items:
            return items
    text = _join(lines)
    author, published = _edge_dates(text, zone)
    if published is None:
        return None
    return [DocumentItem(_drop_date_lines(text, zone), author, published)]


def _split_on_rules(lines: list[str], zone: ZoneInfo) -> list[DocumentItem] | None:
    parts: list[list[str]] = [[]]
    for line in lines:
        if HORIZONTAL_RULE.match(line):
            parts.append([])
        else:
            parts[-1].append(line)
    parts = [part for part in parts if _join(part)]
    if len(parts) < 2:
        return None
    items: list[DocumentItem] = []
    for part in parts:
        # Every part must be dated: a rule inside an undated stretch is a section break.
        part_items = _split_part(part, zone)
        if part_items is None:
            return None
        items.extend(part_items)
    return items


def _drop_date_lines(text: str, zone: ZoneInfo) -> str:
    lines = text.split("\n")
    kept = [
        line
        for index, line in enumerate(lines)
        if not (
            (index < _EDGE_LINES or index >= len(lines) - _EDGE_LINES)
            and (parse_byline(line, zone) or parse_date_line(line, zone))
        )
    ]
    return _join(kept)


def split_items(text: str, zone: ZoneInfo) -> list[DocumentItem]:
    """Split normalised text into items; a document without item structure is one item."""
    lines = text.split("\n")
    # Rules go first: they are the most explicit item boundary, and a byline or date-line split
    # would otherwise cut beside them and hide items dated in another style.
    for strategy in (_split_on_rules, _split_on_bylines, _split_on_date_lines):
        items = strategy(lines, zone)
        if items:
            return items
    author, published = _edge_dates(text, zone)
    body = _drop_date_lines(text, zone) if published else text
    return [DocumentItem(body or text, author, published)]
