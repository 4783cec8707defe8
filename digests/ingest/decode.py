"""Bytes to text without mojibake: BOM, UTF-8, the declared charset, then detection.

Korean sites still serve EUC-KR/CP949, often mislabelled. We never store text decoded with a
wrong codec: a decode that needs replacement characters, or that yields C1 control characters
(the signature of UTF-8 or CP949 read as Latin-1), is refused.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from digests.errors import InputError

# EUC-KR is a strict subset of CP949 (Microsoft's extension); pages labelled EUC-KR routinely
# contain CP949-only syllables, so decode them as CP949.
_CODEC_UPGRADES = {
    "euc-kr": "cp949",
    "euc_kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "ascii": "utf-8",
}
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_C1_CONTROLS = re.compile("[\x80-\x9f]")
_SNIFF_BYTES = 8192


def sniff_html_charset(data: bytes) -> str | None:
    """The charset named by a `<meta>` tag near the top of an HTML document, if any."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    return match.group(1).decode("ascii", "ignore").lower() if match else None


def is_binary(data: bytes) -> bool:
    """True for data that is clearly not text (NUL bytes outside UTF-16)."""
    head = data[:_SNIFF_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    name = _CODEC_UPGRADES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _clean(text: str) -> bool:
    return "\ufffd" not in text and not _C1_CONTROLS.search(text)


def decode_bytes(data: bytes, subject: str, declared: str | None = None) -> str:
    """Decode `data` (named `subject` in errors), trusting only decodes that are clean.

    Order: byte-order mark, strict UTF-8, the declared charset (HTTP header or HTML meta), then
    statistical detection. Raises InputError for binary or undecodable data.
    """
    if is_binary(data):
        raise InputError(subject, "binary file (contains NUL bytes), not text")
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as error:
                raise InputError(
                    subject, f"undecodable bytes: invalid {codec} ({error.reason})"
                ) from error
    try:
        text = data.decode("utf-8")
        if _clean(text):
            return text
    except UnicodeDecodeError:
        pass
    candidates = [_codec(declared), _codec(sniff_html_charset(data))]
    for codec in candidates:
        if codec and codec != "utf-8":
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if _clean(text):
                return text
    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding:
        try:
            text = data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            text = ""
        if text and _clean(text) and best.chaos < 0.2:
            return text
    raise InputError(
        subject, "undecodable bytes: not UTF-8, not the declared charset, and no encoding fits"
    )
