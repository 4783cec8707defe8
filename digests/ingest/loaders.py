"""Reading local files and folders into raw documents."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

from digests.errors import InputError
from digests.i18n import message
from digests.ingest.dates import parse_metadata_date
from digests.ingest.decode import decode_bytes
from digests.ingest.documents import RawDocument
from digests.ingest.html import extract_html
from digests.models import SourceKind

TEXT_SUFFIXES = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_FRONT_MATTER_FIELD = re.compile(r"^(\w+)\s*:\s*[\"']?(.*?)[\"']?\s*$", re.MULTILINE)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_MARKDOWN_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def expand_inputs(path: Path) -> list[Path]:
    """The files a path stands for: itself, or the text files of a folder (recursively)."""
    if not path.exists():
        raise InputError(str(path), message("ingest_error.no_such_file"))
    if path.is_dir():
        files = sorted(
            child
            for child in path.rglob("*")
            if child.is_file()
            and child.suffix.lower() in TEXT_SUFFIXES
            and not any(part.startswith(".") for part in child.relative_to(path).parts)
        )
        if not files:
            raise InputError(str(path), message("ingest_error.empty_folder"))
        return files
    return [path]


def _markdown_document(text: str, source: str, zone: ZoneInfo) -> RawDocument:
    fields: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        fields = {key.lower(): value for key, value in _FRONT_MATTER_FIELD.findall(match.group(1))}
        text = text[match.end() :]
    text = _MARKDOWN_HEADING.sub("", text)
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = _MARKDOWN_EMPHASIS.sub(r"\2", text)
    return RawDocument(
        source=source,
        source_kind=SourceKind.FILE,
        text=text,
        title=fields.get("title") or None,
        author=fields.get("author") or None,
        published=parse_metadata_date(fields.get("date"), zone),
    )


def _file_kind(name: str, suffix: str) -> str:
    kind = TEXT_SUFFIXES.get(suffix.lower())
    if kind is None:
        raise InputError(name, message("ingest_error.file_type", suffix=suffix or "(none)"))
    return kind


def load_file(path: Path, zone: ZoneInfo, max_bytes: int) -> RawDocument:
    """Read one .txt/.md/.html file. Raises InputError naming the file and the reason."""
    source = str(path)
    _file_kind(source, path.suffix)
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            source, message("ingest_error.too_many_bytes", size=f"{size:,}", limit=f"{max_bytes:,}")
        )
    return load_bytes(path.read_bytes(), source, path.suffix, zone, max_bytes)


def load_bytes(
    data: bytes, source: str, suffix: str, zone: ZoneInfo, max_bytes: int
) -> RawDocument:
    """A document from a file's bytes (an upload, or a file read from disk)."""
    kind = _file_kind(source, suffix)
    if len(data) > max_bytes:
        raise InputError(
            source,
            message("ingest_error.too_many_bytes", size=f"{len(data):,}", limit=f"{max_bytes:,}"),
        )
    if not data.strip():
        raise InputError(source, message("ingest_error.empty"))
    text = decode_bytes(data, source)
    if not text.strip():
        raise InputError(source, message("ingest_error.empty"))
    if kind == "html":
        page = extract_html(text, None, source, zone)
        return RawDocument(
            source=source,
            source_kind=SourceKind.FILE,
            text=page.text,
            title=page.title,
            author=page.author,
            published=page.published,
            canonical_url=page.canonical_url,
        )
    if kind == "markdown":
        return _markdown_document(text, source, zone)
    return RawDocument(source=source, source_kind=SourceKind.FILE, text=text)


def pasted_document(text: str, max_bytes: int, source: str = "pasted text") -> RawDocument:
    """Text pasted by a user (the bot's /ingest text)."""
    if len(text.encode("utf-8")) > max_bytes:
        raise InputError(source, message("ingest_error.over_limit", limit=f"{max_bytes:,}"))
    if not text.strip():
        raise InputError(source, message("ingest_error.empty"))
    return RawDocument(source=source, source_kind=SourceKind.TEXT, text=text)
