"""Bytes to text: lying charsets are overruled by the bytes, binary data is refused."""

from __future__ import annotations

import random

import pytest

from digests.errors import InputError
from digests.ingest.decode import decode_bytes, looks_binary, looks_like_mojibake

KOREAN = (
    "반도체 업황은 내년 상반기에 회복될 것이다. 삼성전자와 SK하이닉스의 메모리 가격이 오르고 있다. "
    "엔비디아의 데이터센터 매출은 2026년에도 늘어날 것으로 보인다."
)


def _page(declared: str) -> str:
    return (
        f'<html><head><meta charset="{declared}"><title>반도체 전망</title></head>'
        f"<body><p>{KOREAN}</p></body></html>"
    )


@pytest.mark.parametrize("declared", ["iso-8859-1", "windows-1252", "latin1"])
def test_korean_bytes_under_a_latin_meta_charset_are_decoded_as_korean(declared: str) -> None:
    data = _page(declared).encode("cp949")
    # Read as the page says, the bytes are Latin mojibake without a single C1 control.
    assert looks_like_mojibake(data.decode("latin-1"))

    assert decode_bytes(data, "page") == _page(declared)


def test_a_lying_http_charset_is_overruled_too() -> None:
    data = _page("euc-kr").encode("cp949")

    assert decode_bytes(data, "page", declared="iso-8859-1") == _page("euc-kr")


def test_a_short_korean_page_falls_back_to_cp949() -> None:
    data = '<meta charset="iso-8859-1"><p>금리 인하는 내년에</p>'.encode("cp949")

    assert decode_bytes(data, "page") == '<meta charset="iso-8859-1"><p>금리 인하는 내년에</p>'


@pytest.mark.parametrize(
    "text",
    [
        "Grüße aus München! Schöne Grüße, Ihr Bäcker. Ça été très bien, où êtes-vous?",
        "Él está en la Península Ibérica; año, niño, acción. Þjóð og ævi í Íslandi.",
        "Prices — “quoted” … €5 ‘single’ – fine © 2025",
    ],
)
def test_real_latin_text_is_not_mojibake(text: str) -> None:
    assert not looks_like_mojibake(text)
    assert decode_bytes(text.encode("latin-1", "ignore"), "doc", "iso-8859-1")


def test_garbled_text_without_a_better_reading_is_refused_naming_the_charset() -> None:
    # Latin-1 runs that no other codec reads cleanly either (odd runs are not CP949, and a
    # UTF-16 guess without a byte-order mark is not taken).
    data = ("ÃÃÃ ÂÂÂ " * 20).encode("latin-1")

    with pytest.raises(InputError) as caught:
        decode_bytes(data, "garbled.txt", declared="iso-8859-1")

    assert caught.value.subject == "garbled.txt"
    assert caught.value.reason == (
        "undecodable bytes: the declared charset iso8859-1 gives garbled text"
        " and no other encoding fits"
    )


def test_control_characters_make_data_binary() -> None:
    data = bytes(range(1, 32)) * 10 + b"some text"

    with pytest.raises(InputError) as caught:
        decode_bytes(data, "blob.txt")

    assert caught.value.reason == "binary data (full of control characters), not text"
    assert looks_binary("a\x01b\x02c") and not looks_binary("tab\tand\nnewline\x0c")


def test_random_bytes_never_decode_to_text_with_words() -> None:
    """Whatever a codec makes of random bytes, it is refused or has no real words."""
    from digests.ingest.text import count_words

    generator = random.Random(20251215)
    for _ in range(300):
        data = generator.randbytes(generator.choice([3, 40, 400, 4000]))
        try:
            text = decode_bytes(data, "random.bin")
        except InputError:
            continue
        assert count_words(text) < 10, repr(text[:80])
