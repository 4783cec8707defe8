"""What a command answers, independent of where it is shown (terminal or Discord).

Front ends render a Reply their own way: the terminal as text, Discord as embeds with
buttons. Dates, people and channels go through a Formatter the front end supplies, so Discord
can show `<t:…:D>` timestamps and the terminal plain ISO dates.
"""

from __future__ import annotations

import re
import shutil
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

_MARKDOWN_BOLD = re.compile(r"\*\*(.+?)\*\*")


class Formatter(Protocol):
    """How a front end writes dates, members, channels and roles."""

    def date(self, value: date) -> str:
        """A calendar date."""

    def moment(self, value: datetime) -> str:
        """A point in time, with a relative hint ("in 3 days")."""

    def user(self, user_id: int) -> str:
        """A member (never a ping unless the reply allows it)."""

    def channel(self, channel_id: int) -> str:
        """A channel."""

    def role(self, role_id: int) -> str:
        """A role."""


class PlainFormatter:
    """ISO dates and ids in words: for the terminal and for logs."""

    def date(self, value: date) -> str:
        """2026-03-01."""
        return value.isoformat()

    def moment(self, value: datetime) -> str:
        """2026-03-01 09:00 UTC."""
        return value.strftime("%Y-%m-%d %H:%M %Z").strip()

    def user(self, user_id: int) -> str:
        """user 1234."""
        return f"user {user_id}"

    def channel(self, channel_id: int) -> str:
        """#channel 1234."""
        return f"#channel {channel_id}"

    def role(self, role_id: int) -> str:
        """@role 1234."""
        return f"role {role_id}"


@dataclass(frozen=True)
class Field:
    """A titled block of a reply."""

    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply (a chart, an export): its bytes, or for large files (exports)
    a file on disk, read only as it is sent."""

    filename: str
    data: bytes = b""
    path: Path | None = None

    @classmethod
    def temporary(cls, filename: str, path: Path) -> Attachment:
        """An attachment that owns the file at `path`: the file is deleted once the attachment
        is no longer referenced (the reply was sent, or dropped)."""
        attachment = cls(filename, path=path)
        weakref.finalize(attachment, _remove_file, path)
        return attachment

    @property
    def size(self) -> int:
        """Bytes in the file."""
        return self.path.stat().st_size if self.path is not None else len(self.data)

    def read_bytes(self) -> bytes:
        """The whole file (meant for small files and tests; senders stream `path`)."""
        return self.path.read_bytes() if self.path is not None else self.data


def _remove_file(path: Path) -> None:
    path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Button:
    """An action under a reply; `custom_id` is stable so it works after a restart."""

    custom_id: str
    label: str
    style: str = "secondary"  # primary|secondary|success|danger


@dataclass
class Reply:
    """A command's answer."""

    title: str | None = None
    description: str = ""
    fields: list[Field] = field(default_factory=list)
    footer: str | None = None
    url: str | None = None
    tone: str = "info"  # info|success|warning|error
    ephemeral: bool = False
    files: list[Attachment] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    pages: list[Reply] = field(default_factory=list)  # further pages of a long list
    mention_users: list[int] = field(default_factory=list)  # the only members it may ping
    mention_roles: list[int] = field(default_factory=list)  # the only roles it may ping
    content: str = ""  # text above the embed (where pings go)


def reply_as_text(reply: Reply, out_dir: Path | None = None) -> str:
    """A reply as plain text for terminals and logs (attached files are written to `out_dir`)."""
    lines: list[str] = []
    if reply.content:
        lines.append(reply.content)
    if reply.title:
        lines.append(f"== {reply.title} ==")
    if reply.description:
        lines.append(_MARKDOWN_BOLD.sub(r"\1", reply.description))
    for item in reply.fields:
        value = _MARKDOWN_BOLD.sub(r"\1", item.value)
        lines.append(f"{item.name}: {value}")
    if reply.url:
        lines.append(f"link: {reply.url}")
    if reply.footer:
        lines.append(f"({reply.footer})")
    if reply.buttons:
        lines.append(" ".join(f"[{button.label}]" for button in reply.buttons))
    for attachment in reply.files:
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            target = out_dir / attachment.filename
            if attachment.path is not None:
                shutil.copyfile(attachment.path, target)
            else:
                target.write_bytes(attachment.data)
            lines.append(f"attached: {target}")
        else:
            lines.append(f"attached: {attachment.filename} ({attachment.size} bytes)")
    for page in reply.pages:
        lines.append(reply_as_text(page, out_dir))
    return "\n".join(lines)
