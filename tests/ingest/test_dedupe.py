"""Near-duplicates: the same article by another road is one post; look-alikes are not."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from digests.ingest.dedupe import same_article, search_fragments
from digests.ingest.text import content_hash
from digests.models import Post, SourceKind

SEOUL = ZoneInfo("Asia/Seoul")
ARTICLE = (
    "반도체 업황은 내년 상반기에 회복될 것이다. 삼성전자와 SK하이닉스의 메모리 가격이 오르고 있다.\n"
    "엔비디아의 데이터센터 매출은 2026년에도 50% 이상 늘어날 것으로 보인다고 그는 말했다.\n"
    "다만 중국 수출 규제가 변수다. 시장은 이를 주시하고 있다."
)


def post(text: str, **values: object) -> Post:
    fields: dict[str, object] = {
        "guild_id": 1,
        "source": "test",
        "source_kind": SourceKind.FILE,
        "title": "반도체 전망",
        "lang": "ko",
        "text": text,
        "content_hash": content_hash(text),
    }
    fields.update(values)
    return Post(**fields)  # type: ignore[arg-type]


def test_formatting_a_title_line_and_a_counter_do_not_make_a_new_article() -> None:
    stored = post(ARTICLE, source_kind=SourceKind.URL, canonical_url="https://blog.example/1")
    copy = post(
        "# 반도체 전망\n"
        + ARTICLE.replace("오르고 있다", "**오르고** 있다").replace(
            "늘어날 것으로 ", "늘어날 것으로\n"
        )
        + "\n조회수 1,234"
    )

    assert same_article(copy, stored) and same_article(stored, copy)


def test_different_addresses_or_days_are_different_articles() -> None:
    daily = post(
        ARTICLE, source_kind=SourceKind.URL, published=datetime(2025, 11, 3, 9, tzinfo=SEOUL)
    )
    assert not same_article(post(ARTICLE, published=datetime(2025, 11, 4, 9, tzinfo=SEOUL)), daily)
    # A page at 23:30 and its export's bare date are the same day.
    assert same_article(post(ARTICLE, published=datetime(2025, 11, 3, 23, 30, tzinfo=SEOUL)), daily)
    first = post(ARTICLE, source_kind=SourceKind.URL, canonical_url="https://blog.example/1")
    assert not same_article(post(ARTICLE, canonical_url="https://blog.example/2"), first)


def test_posts_that_came_the_same_way_are_never_near_duplicates() -> None:
    """Two pastes (the second a corrected version, or the same notes with a date line)."""
    first = post(ARTICLE, source_kind=SourceKind.TEXT)

    assert not same_article(post("입력 2025.11.04\n" + ARTICLE, source_kind=SourceKind.TEXT), first)
    assert same_article(post("입력 2025.11.04\n" + ARTICLE, source_kind=SourceKind.FILE), first)


def test_a_short_post_quoted_inside_a_long_one_is_not_a_duplicate() -> None:
    long_post = post(
        ARTICLE + "\n" + ARTICLE.replace("반도체", "배터리") * 3, source_kind=SourceKind.URL
    )

    assert not same_article(post(ARTICLE), long_post)


def test_a_different_article_on_the_same_topic_is_not_a_duplicate() -> None:
    other = "반도체 업황은 내년 하반기에나 회복될 것이다. 재고가 여전히 많고 수요는 약하다. 중국 규제도 부담이다."

    assert not same_article(post(other), post(ARTICLE, source_kind=SourceKind.URL))


def test_search_fragments_come_from_the_middle_of_the_longest_lines() -> None:
    fragments = search_fragments(ARTICLE)

    assert len(fragments) == 3
    assert all(len(fragment) == 24 and fragment in ARTICLE for fragment in fragments)
    assert search_fragments("짧은 글") == []
