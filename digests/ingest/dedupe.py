"""Near-duplicates: the same article reached twice by different roads (its URL, then a saved
copy of the page, a Markdown export or a paste), where the text differs in formatting, a title
or byline line, or a counter, so the content hash differs.

Two posts are the same article when they came by different roads (a page and a file, a file
and a paste), nearly all word pairs of the shorter one occur in the longer one, and they are of
similar length. Posts that came the same way (two pastes: the second may be a corrected
version, or the same notes dated), name different web addresses, or were published on different
days are different posts however alike (a daily report).
"""

from __future__ import annotations

import re
from itertools import pairwise

from digests.models import Post

_WORD = re.compile(r"[^\W_]+")
_MIN_WORDS = 8
_CONTAINMENT = 0.9
_LENGTH_RATIO = 0.8
_FRAGMENT_CHARS = 24
_FRAGMENTS = 3


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _pairs(words: list[str]) -> set[tuple[str, str]]:
    return set(pairwise(words))


def search_fragments(text: str) -> list[str]:
    """A few short pieces from the middle of the post's longest lines: a saved copy of the same
    article contains them even when its lines are wrapped or marked up differently."""
    lines = sorted((line.strip() for line in text.split("\n")), key=len, reverse=True)
    # (Stored text is normalised: no NUL or other controls that would end a query string.)
    fragments = []
    for line in lines[:_FRAGMENTS]:
        if len(line) < _FRAGMENT_CHARS:
            break
        start = (len(line) - _FRAGMENT_CHARS) // 2
        fragments.append(line[start : start + _FRAGMENT_CHARS])
    return fragments


def same_article(new: Post, stored: Post) -> bool:
    """Whether `new` is `stored` again, reached another way (see the module docstring)."""
    if new.source_kind == stored.source_kind:
        return False
    if new.canonical_url and stored.canonical_url and new.canonical_url != stored.canonical_url:
        return False
    # Each date in its own offset: a page's "23:30+09:00" and its export's bare date agree.
    if new.published and stored.published and new.published.date() != stored.published.date():
        return False
    new_words, stored_words = _words(new.text), _words(stored.text)
    shorter, longer = sorted((new_words, stored_words), key=len)
    if len(shorter) < _MIN_WORDS or len(shorter) < len(longer) * _LENGTH_RATIO:
        return False
    shorter_pairs = _pairs(shorter)
    shared = len(shorter_pairs & _pairs(longer))
    return shared >= len(shorter_pairs) * _CONTAINMENT
