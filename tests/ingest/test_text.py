"""Word counting (the minimum a post needs) and web addresses fit for links and embeds."""

from __future__ import annotations

import pytest

from digests.ingest.text import count_words, http_url


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("hi", 1),
        ("", 0),
        ("테슬라 26년 목표 시총 3.3조달러", 5),
        ("Rates will fall by spring, don't you think? U.S. data (e.g. CPI) says so.", 14),
        ("a b c 1 2 3 !!! ### 50% ---", 0),
        ("ÇÑ±¹ °æÁ¦ ¿Í ¾÷Ȳ", 0),  # Korean read as Latin-1: symbols inside every token
        ("x" * 41 + " word", 1),  # longer than any word
        ("“따옴표 안의 말”이라고 했다.", 3),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        ("https://blog.example/p/1", None, "https://blog.example/p/1"),
        ("  http://blog.example/p/1  ", None, "http://blog.example/p/1"),
        ("/p/2", "https://blog.example/feed.xml", "https://blog.example/p/2"),
        ("p/3", "https://blog.example/feeds/rss", "https://blog.example/feeds/p/3"),
        ("m2", None, None),
        ("/p/2", None, None),
        ("javascript:alert(1)", "https://blog.example/", None),
        ("mailto:a@example.com", None, None),
        ("https://", None, None),
        ("https://exa mple.com/", None, None),
        ("https://example.com/<script>", None, None),
        ("http://[::1", None, None),
        (None, None, None),
    ],
)
def test_http_url(value: str | None, base: str | None, expected: str | None) -> None:
    assert http_url(value, base) == expected
