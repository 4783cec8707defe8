"""Bytes to text without mojibake: BOM, UTF-8, the declared charset, then detection.

Korean sites still serve EUC-KR/CP949, often mislabelled. We never store text decoded with a
wrong codec: a decode that needs replacement characters, or that yields C1 control characters
(the signature of UTF-8 or CP949 read as Latin-1), is refused. So is a decode that comes out as
runs of accented Latin letters and symbols ("ÇÑ±¹ °æÁ¦"): that is what multi-byte text read one
byte at a time looks like, and then the charset is decided from the bytes instead. Data full of
control characters is binary, whatever codec would accept it.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from digests.errors import InputError
from digests.i18n import message

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
# What Latin-1 and Windows-1252 turn bytes 0xA0-0xFF into: accented letters and symbols.
_HIGH_LATIN = (
    "\u00a0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_HIGH_LATIN_CHARACTER = re.compile(f"[{_HIGH_LATIN}]")
# European words put at most two such letters side by side ("Grüße"); a CJK syllable read one
# byte at a time makes two, so a Korean word of two syllables already makes a run of four.
_HIGH_LATIN_RUN = re.compile(f"[{_HIGH_LATIN}]{{3,}}")
_MOJIBAKE_MIN_CHARACTERS = 8
# Controls that text never holds (tab, newlines and form feed are fine).
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BINARY_CONTROL_SHARE = 0.01
_HANGUL_SYLLABLE = re.compile("[\uac00-\ud7a3]")


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


def looks_like_mojibake(text: str) -> bool:
    """True when text is mostly runs of Latin-1 letters and symbols: multi-byte text (Korean,
    Japanese, UTF-8) decoded with a single-byte codec."""
    high = len(_HIGH_LATIN_CHARACTER.findall(text))
    if high < _MOJIBAKE_MIN_CHARACTERS:
        return False
    in_runs = sum(len(run) for run in _HIGH_LATIN_RUN.findall(text))
    return in_runs * 2 >= high


def looks_binary(text: str) -> bool:
    """True when decoded text holds more control characters than any text does."""
    if not text:
        return False
    controls = len(_BINARY_CONTROLS.findall(text))
    return controls >= 2 and controls > len(text) * _BINARY_CONTROL_SHARE


def _acceptable(text: str) -> bool:
    return _clean(text) and not looks_like_mojibake(text)


def _korean_fallback(data: bytes) -> str | None:
    """CP949 when the bytes are valid CP949 and read as mostly Hangul: short Korean pages are
    too short for statistical detection, and a wrong guess cannot produce that much Hangul."""
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        return None
    non_ascii = sum(1 for character in text if ord(character) > 0x7F)
    hangul = len(_HANGUL_SYLLABLE.findall(text))
    if non_ascii and hangul >= non_ascii * 0.8 and _clean(text):
        return text
    return None


def decode_bytes(data: bytes, subject: str, declared: str | None = None) -> str:
    """Decode `data` (named `subject` in errors), trusting only decodes that are clean.

    Order: byte-order mark, strict UTF-8, the declared charset (HTTP header or HTML meta) unless
    it yields mojibake, then statistical detection, then CP949 for Korean. Raises InputError for
    binary or undecodable data.
    """
    if is_binary(data):
        raise InputError(subject, message("ingest_error.binary_file"))
    return _refuse_binary(_decode(data, subject, declared), subject)


def _refuse_binary(text: str, subject: str) -> str:
    if looks_binary(text):
        raise InputError(subject, message("ingest_error.binary_data"))
    return text


def _decode(data: bytes, subject: str, declared: str | None) -> str:
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
                    subject,
                    message("ingest_error.bad_bom_text", codec=codec, detail=error.reason),
                ) from error
    try:
        text = data.decode("utf-8")
        if _clean(text):
            return text
    except UnicodeDecodeError:
        pass
    garbled: list[str] = []
    for codec in dict.fromkeys([_codec(declared), _codec(sniff_html_charset(data))]):
        if codec and codec != "utf-8":
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if _acceptable(text):
                return text
            if _clean(text):
                garbled.append(codec)
    best = charset_normalizer.from_bytes(data).best()
    # UTF-16/32 without a byte-order mark is a guess that turns any even-length bytes into
    # CJK-looking characters; real UTF-16 text starts with a BOM (handled above).
    if best is not None and best.encoding and not best.encoding.startswith(("utf_16", "utf_32")):
        try:
            text = data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            text = ""
        if text and _acceptable(text) and best.chaos < 0.2:
            return text
    korean = _korean_fallback(data)
    if korean is not None:
        return korean
    if garbled:
        raise InputError(subject, message("ingest_error.garbled_charset", codec=garbled[0]))
    raise InputError(subject, message("ingest_error.no_encoding"))
