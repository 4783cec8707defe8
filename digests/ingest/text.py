"""Text normalisation, content hashing and language detection."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urljoin, urlsplit

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Control characters other than tab and newline, and lone surrogates (a JSON "\ud800" escape):
# never text, and SQLite's full-text queries stop at a NUL.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_HORIZONTAL_SPACE = re.compile(r"[ \t\u00a0\u3000\u2000-\u200a\u202f\u205f]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_ANY_SPACE = re.compile(r"\s+")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_LATIN = re.compile(r"[A-Za-z]")


def without_surrogates(text: str) -> str:
    """`text` with lone surrogates (which no encoding can write) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def clean_argument(value: str) -> str:
    """A command argument without control characters (tab and newline stay) or lone
    surrogates: what no member types, and what SQLite and encoders refuse."""
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", value))


def normalize_text(raw: str) -> str:
    """NFC, unified newlines, no invisible or control characters (lone surrogates become
    U+FFFD), single spaces, at most one blank line.

    Line structure is kept: splitting and sentence detection rely on it.
    """
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", _SURROGATE.sub("\ufffd", text))
    lines = [_HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return _MANY_BLANK_LINES.sub("\n\n", text).strip()


def content_hash(text: str) -> str:
    """A hash of the text that ignores case, spacing and Unicode composition."""
    folded = _ANY_SPACE.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


# A real word: letters (any script), maybe with digits and inner marks ("3.3조달러", "don't",
# "AI-driven"); never a long run of symbols, which is what binary data decodes to.
_WORD = re.compile(r"(?=[\w'’.,%&+/-]*[^\W\d_])[\w'’.,%&+/-]+")
_WORD_EDGES = "\"'“”‘’()[]{}<>«»「」『』《》〈〉.,;:!?…·-–—/\\*_~`|#@&%^+=$€£¥₩"
_WORD_MAX_CHARS = 40
_CJK = re.compile(r"[\uac00-\ud7a3\u3131-\u318e\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_LETTER = re.compile(r"[^\W\d_]")


def count_words(text: str) -> int:
    """Real words in `text`: Korean eojeol and English (or other) words of two letters or more.

    Tokens longer than any word, or made of symbols, do not count: decoded binary data and
    keyboard noise have few real words however long they are."""
    count = 0
    for token in text.split():
        token = token.strip(_WORD_EDGES)
        if not token or len(token) > _WORD_MAX_CHARS or not _WORD.fullmatch(token):
            continue
        if _CJK.search(token) or len(_LETTER.findall(token)) >= 2:
            count += 1
    return count


def detect_language(text: str) -> str:
    """'ko' when Hangul makes up a real share of the letters, else 'en'."""
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    if hangul == 0:
        return "en"
    # A Hangul syllable carries more than one Latin letter's worth of text.
    return "ko" if hangul * 2 >= latin * 0.5 else "en"


def clip(text: str, limit: int) -> str:
    """Shorten `text` to at most `limit` characters at a word boundary, with an ellipsis."""
    text = _ANY_SPACE.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:·") + "…"


_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f<>\"]")


def http_url(value: str | None, base: str | None = None) -> str | None:
    """`value` as an absolute http(s) address with a host (joined to `base` when relative), or
    None: embeds and links must never carry an identifier such as a feed's guid ("m2")."""
    if not value or _URL_FORBIDDEN.search(value.strip()):
        return None
    candidate = value.strip()
    try:
        if base and not urlsplit(candidate).scheme:
            candidate = urljoin(base, candidate)
        parts = urlsplit(candidate)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return candidate
