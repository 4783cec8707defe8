"""How the track record names its sources and authors for a reader.

A source is named by its address when it is a link (feeds, pages, a link given with a manual
forecast), else by the post's title, else by its file name without directories: a path on the
server's disk is never shown. An author a member added is named by the display name stored when
they added it; rows stored before names were kept hold Discord's mention form (`<@123>`), which
front ends show in their own mention-free way (see `member_id`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from pathlib import PurePath

from digests.store.track_record import TrackRecordRow

MANUAL_SOURCE = "manual"  # the track record's key for forecasts typed in without a link
_MEMBER_TOKEN = re.compile(r"^<@!?(\d{1,20})>$")
_LINK = re.compile(r"^https?://", re.IGNORECASE)


def is_link(source: str | None) -> bool:
    """Whether a source is a web address (shown as it is)."""
    return bool(source and _LINK.match(source.strip()))


def member_id(author: str | None) -> int | None:
    """The member id of an author stored in Discord's mention form (`<@123>`), else None."""
    found = _MEMBER_TOKEN.match((author or "").strip())
    return int(found.group(1)) if found else None


def member_author(display_name: str | None, user_id: int) -> str:
    """What a forecast a member typed in records as its author: their display name, or (when
    the front end knows none) the mention form that front ends turn into a mention-free name."""
    name = " ".join((display_name or "").split())
    return name[:100] if name else f"<@{user_id}>"


def source_name(source: str, title: str | None = None) -> str:
    """A source as a reader sees it: a link as it is; a file by the post's title, else its file
    name without directories."""
    source = " ".join(source.split())
    if is_link(source) or source == MANUAL_SOURCE:
        return source
    if title and title.strip():
        return " ".join(title.split())
    return PurePath(source.replace("\\", "/")).name or source


def merge_rows(key: str, rows: Iterable[TrackRecordRow]) -> TrackRecordRow:
    """Several track-record rows counted as one (two files with the same title)."""
    rows = list(rows)
    with_probability = sum(row.with_probability for row in rows)
    squared = sum((row.brier or 0.0) * row.with_probability for row in rows)
    return TrackRecordRow(
        key=key,
        resolved=sum(row.resolved for row in rows),
        correct=sum(row.correct for row in rows),
        partly=sum(row.partly for row in rows),
        wrong=sum(row.wrong for row in rows),
        brier=squared / with_probability if with_probability else None,
        with_probability=with_probability,
    )


async def named_sources(
    rows: list[TrackRecordRow],
    titles_of: Callable[[list[str]], Awaitable[dict[str, str]]],
) -> list[TrackRecordRow]:
    """Track-record rows keyed by post source, renamed for readers (see `source_name`); rows
    that come to share a name are merged. `titles_of` gives the title of each non-link source."""
    unnamed = [row.key for row in rows if not is_link(row.key) and row.key != MANUAL_SOURCE]
    titles = await titles_of(unnamed) if unnamed else {}
    grouped: dict[str, list[TrackRecordRow]] = {}
    for row in rows:
        grouped.setdefault(source_name(row.key, titles.get(row.key)), []).append(row)
    named = [
        replace(group[0], key=name) if len(group) == 1 else merge_rows(name, group)
        for name, group in grouped.items()
    ]
    return sorted(named, key=lambda row: (-row.resolved, row.key))
