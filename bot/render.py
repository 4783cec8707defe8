"""Replies as Discord messages: embeds within Discord's limits, files, buttons, safe mentions.

Discord counts characters as code points (Python's `len`). Long text is split across embeds
and messages at a newline, a sentence end or a space, never cut off silently.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import discord

from digests.commands.replies import Attachment, Button, Reply

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
FIELDS_PER_EMBED = 25
EMBEDS_PER_MESSAGE = 10
CHARACTERS_PER_MESSAGE = 6000
BUTTONS_PER_ROW = 5

TONE_COLOURS = {
    "info": discord.Colour(0x3B82F6),
    "success": discord.Colour(0x2F855A),
    "warning": discord.Colour(0xD69E2E),
    "error": discord.Colour(0xC53030),
}
BUTTON_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}
_SENTENCE_END = re.compile(r"[.!?。]\s|[다요죠음함]\.\s")


class DiscordFormatter:
    """Dates and moments as Discord timestamps (shown in each reader's own timezone)."""

    def date(self, value: date) -> str:
        """A calendar date; noon UTC keeps the same date for readers from UTC-11 to UTC+11."""
        stamp = int(datetime.combine(value, time(12, 0), tzinfo=UTC).timestamp())
        return f"<t:{stamp}:D>"

    def moment(self, value: datetime) -> str:
        """A point in time with a relative hint."""
        stamp = int(value.timestamp())
        return f"<t:{stamp}:f> (<t:{stamp}:R>)"

    def user(self, user_id: int) -> str:
        """A member mention (it pings only if the message allows it)."""
        return f"<@{user_id}>"

    def channel(self, channel_id: int) -> str:
        """A channel link."""
        return f"<#{channel_id}>"

    def role(self, role_id: int) -> str:
        """A role mention (it pings only if the message allows it)."""
        return f"<@&{role_id}>"


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` code points, cut at a newline, a sentence end or a space."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = window.rfind("\n")
        if cut < limit // 2:
            ends = [match.end() for match in _SENTENCE_END.finditer(window)]
            cut = ends[-1] if ends and ends[-1] >= limit // 2 else cut
        if cut < limit // 2:
            space = window.rfind(" ")
            cut = space if space >= limit // 2 else cut
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _clip_title(text: str, limit: int = TITLE_LIMIT) -> str:
    # Titles are headings; a visible ellipsis says that the rest is in the body below.
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _embed_size(embed: discord.Embed) -> int:
    return len(embed)


def reply_embeds(reply: Reply) -> list[discord.Embed]:
    """The reply as one or more embeds, each within Discord's per-embed limits."""
    colour = TONE_COLOURS.get(reply.tone, TONE_COLOURS["info"])
    descriptions = split_text(reply.description, DESCRIPTION_LIMIT) if reply.description else []
    embeds: list[discord.Embed] = []
    for index, text in enumerate(descriptions or [""]):
        embed = discord.Embed(colour=colour, description=text or None)
        if index == 0 and reply.title:
            embed.title = _clip_title(reply.title)
            if reply.url:
                embed.url = reply.url
        embeds.append(embed)
    for item in reply.fields:
        name = _clip_title(item.name, FIELD_NAME_LIMIT)
        for part_index, value in enumerate(split_text(item.value, FIELD_VALUE_LIMIT) or ["—"]):
            if len(embeds[-1].fields) >= FIELDS_PER_EMBED:
                embeds.append(discord.Embed(colour=colour))
            label = name if part_index == 0 else _clip_title(f"{item.name} (continued)")
            embeds[-1].add_field(name=label, value=value, inline=item.inline)
    if reply.footer:
        embeds[-1].set_footer(text=_clip_title(reply.footer, FOOTER_LIMIT))
    return [embed for embed in embeds if _embed_size(embed) or embed.fields] or embeds[:1]


@dataclass
class OutgoingMessage:
    """One Discord message of a reply."""

    content: str | None
    embeds: list[discord.Embed]
    attachments: list[Attachment] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)

    def files(self) -> list[discord.File]:
        """Fresh file objects (a discord.File can be sent once)."""
        return [
            discord.File(a.path, filename=a.filename)  # read from disk as it is sent
            if a.path is not None
            else discord.File(io.BytesIO(a.data), filename=a.filename)
            for a in self.attachments
        ]


def pack_messages(reply: Reply) -> list[OutgoingMessage]:
    """The reply split into messages of at most 10 embeds and 6000 characters each."""
    contents = split_text(reply.content, CONTENT_LIMIT) if reply.content else []
    messages: list[OutgoingMessage] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in reply_embeds(reply):
        embed_size = _embed_size(embed)
        if current and (
            len(current) >= EMBEDS_PER_MESSAGE or size + embed_size > CHARACTERS_PER_MESSAGE
        ):
            messages.append(OutgoingMessage(None, current))
            current, size = [], 0
        current.append(embed)
        size += embed_size
    messages.append(OutgoingMessage(None, current))
    if contents:
        messages[0].content = contents[0]
        messages[1:1] = [OutgoingMessage(text, []) for text in contents[1:]]
    messages[0].attachments = list(reply.files)
    messages[-1].buttons = list(reply.buttons)
    return messages


def allowed_mentions(reply: Reply) -> discord.AllowedMentions:
    """Only the members and roles the reply names may be pinged; never everyone."""
    return discord.AllowedMentions(
        everyone=False,
        users=[discord.Object(user) for user in reply.mention_users] or False,
        roles=[discord.Object(role) for role in reply.mention_roles] or False,
        replied_user=False,
    )


def button_view(buttons: list[Button]) -> discord.ui.View | None:
    """A view holding the reply's buttons; their fixed custom ids are handled by the bot's
    dynamic items, so they keep working after a restart."""
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for index, button in enumerate(buttons[:25]):
        view.add_item(
            discord.ui.Button(
                label=button.label,
                custom_id=button.custom_id,
                style=BUTTON_STYLES.get(button.style, discord.ButtonStyle.secondary),
                row=index // BUTTONS_PER_ROW,
            )
        )
    return view
