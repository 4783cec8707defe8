"""From raw documents to clean, dated posts: splitting, boilerplate and dates.

The four seed documents are the real mess (WordPress comment form, Tistory skip-link, a
newsletter archive of 11 bylined items, an undated essay); synthetic inputs check that the
splitter follows the general patterns rather than those files.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digests.errors import InputError
from digests.ingest.documents import RawDocument, build_posts, clean_author
from digests.ingest.loaders import load_file
from digests.models import DateSource, Post, SourceKind

SEOUL = ZoneInfo("Asia/Seoul")
GUILD = 5

# Paragraphs long enough (> 150 characters) to count as substantial items.
KO_PARAGRAPH = (
    "반도체 업황은 내년 상반기에 회복될 것으로 보인다. 메모리 가격이 오르고 재고가 빠르게 줄어들고 "
    "있다. 증권가에서는 2026년에 메모리 업황이 정점을 찍을 것으로 보고 있으며, 투자자들은 주요 "
    "업체들의 설비 투자 계획과 고객사 주문 동향을 주목하고 있다."
)
EN_PARAGRAPH = (
    "The market rallied after the central bank signalled a pause. Analysts expect two cuts next "
    "year, although the path depends on inflation data and on labour market conditions in the "
    "coming months, which have been softer than expected."
)


def seed_path(shared_dir: Path, prefix: str) -> Path:
    (path,) = sorted((shared_dir / "seeds").glob(f"{prefix}_*.txt"))
    return path


def seed_posts(shared_dir: Path, prefix: str) -> list[Post]:
    document = load_file(seed_path(shared_dir, prefix), SEOUL, 5_000_000)
    return build_posts(document, GUILD, SEOUL)


def posts_of(text: str, **kwargs: object) -> list[Post]:
    return build_posts(RawDocument("memo.txt", SourceKind.FILE, text), GUILD, SEOUL, **kwargs)


@pytest.fixture(scope="module")
def gold(shared_dir: Path) -> dict[str, dict]:
    data = json.loads((shared_dir / "gold" / "seeds.json").read_text(encoding="utf-8"))
    return {document["file"]: document for document in data["documents"]}


# --- seeds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "count"), [("000", 1), ("001", 1), ("002", 11), ("003", 1)])
def test_seed_post_counts(shared_dir: Path, prefix: str, count: int) -> None:
    posts = seed_posts(shared_dir, prefix)

    assert len(posts) == count
    assert all(post.text.strip() and post.title.strip() for post in posts)
    assert all(post.guild_id == GUILD and post.source_kind is SourceKind.FILE for post in posts)
    assert len({post.content_hash for post in posts}) == count


def test_seed_counts_match_the_gold_labels(shared_dir: Path, gold: dict[str, dict]) -> None:
    for name, labels in gold.items():
        posts = build_posts(load_file(shared_dir / "seeds" / name, SEOUL, 5_000_000), 1, SEOUL)
        assert len(posts) == len(labels["posts"]), name


def test_seed_002_authors_and_dates_match_gold(shared_dir: Path, gold: dict[str, dict]) -> None:
    path = seed_path(shared_dir, "002")
    expected = [(item["author"], item["published"]) for item in gold[path.name]["posts"]]

    posts = seed_posts(shared_dir, "002")

    actual = [
        (post.author, post.published.date().isoformat() if post.published else None)
        for post in posts
    ]
    assert actual == expected


def test_seed_002_bylines_keep_their_time_and_zone(shared_dir: Path) -> None:
    first = seed_posts(shared_dir, "002")[0]

    # "크리스 정 2025.11.04 12:47 PDT"
    assert first.published is not None
    assert first.published.replace(tzinfo=None) == datetime(2025, 11, 4, 12, 47)
    assert first.published.utcoffset() == timedelta(hours=-7)


def test_seed_002_items_lose_their_bylines_and_the_tags_label(shared_dir: Path) -> None:
    posts = seed_posts(shared_dir, "002")
    byline = re.compile(r"^.{1,20} \d{4}\.\d{2}\.\d{2} \d{2}:\d{2} PDT$", re.MULTILINE)

    for post in posts:
        assert not byline.search(post.text), post.title
        assert "Tags" not in post.text.split("\n")
        assert post.lang == "ko"
    assert posts[0].text.startswith("미국식 '국가자본주의' 시대의 개막.")
    assert "크리스 정 2025.11.04" not in posts[0].text


def test_seed_000_wordpress_comment_form_is_gone_and_body_kept(shared_dir: Path) -> None:
    (post,) = seed_posts(shared_dir, "000")

    for furniture in (
        "댓글 남기기",
        "아래 항목을 채우거나",
        "계정을 사용하여 댓글을 남깁니다",
        "WordPress.com 로고",
        "%s에 연결하는 중",
        "WordPress.com에서 무료 웹사이트",
        "%d 블로거가",
        "위로 ↑",
    ):
        assert furniture not in post.text, furniture
    assert post.title == "ELON MUSK “나를 따르라!”"
    assert post.text.startswith("어제, 22일. 테슬라가 이벤트데이를 열었다.")
    assert "머스크가 전쟁을 선포한 느낌이다." in post.text
    assert post.text.endswith("배터리데이 영상도 첨부, 3시간짜리.")


def test_seed_001_skip_link_is_gone_and_rules_do_not_split(shared_dir: Path) -> None:
    (post,) = seed_posts(shared_dir, "001")

    assert "본문 바로가기" not in post.text
    assert post.title != "본문 바로가기"
    assert "테슬라 인베스터 데이 두번째 이야기는 배터리 입니다." in post.text
    assert "FSD라는 것의 정체는 무엇일까?" in post.text
    assert post.text.rstrip().endswith("this prediction seems persuasive.")


def test_seeds_without_a_machine_readable_date_stay_unknown(shared_dir: Path) -> None:
    for prefix in ("000", "001", "003"):
        (post,) = seed_posts(shared_dir, prefix)
        assert post.published is None, prefix
    (essay,) = seed_posts(shared_dir, "003")
    assert essay.title == "나는 GPU 몇장짜리 인간일까?"
    assert essay.text.startswith("정권이 바뀔때 마다")


# --- boilerplate ------------------------------------------------------------------------------


def test_furniture_lines_go_and_the_body_around_them_stays() -> None:
    text = "\n".join(
        [
            "본문 바로가기",
            "시장 메모",
            KO_PARAGRAPH,
            "Tags",
            "금리와 환율은 당분간 높은 수준을 유지할 것이다.",
            "공유하기",
            "Share this:",
            "Twitter",
            "Facebook",
            "Like this:",
            "Loading...",
            EN_PARAGRAPH,
            "위로 ↑",
        ]
    )

    (post,) = posts_of(text)

    assert post.title == "시장 메모"
    lines = post.text.split("\n")
    assert lines == [
        KO_PARAGRAPH,
        "금리와 환율은 당분간 높은 수준을 유지할 것이다.",
        EN_PARAGRAPH,
    ]


def test_prose_that_mentions_furniture_words_is_kept() -> None:
    sentence = "Tags and categories help readers, but this line is a sentence about them."
    (post,) = posts_of(f"메모\n{KO_PARAGRAPH}\n{sentence}\n댓글 남기기 기능은 꺼 두었다고 한다.")

    assert sentence in post.text
    assert "댓글 남기기 기능은 꺼 두었다고 한다." in post.text


def test_trailing_comment_form_is_cut(shared_dir: Path) -> None:
    seed = seed_path(shared_dir, "000").read_text(encoding="utf-8")
    form = seed[seed.index("댓글 남기기") :]
    paragraphs = [f"{number}. {KO_PARAGRAPH}" for number in range(14)]
    text = "배터리 메모\n\n" + "\n\n".join(paragraphs) + "\n\n" + form

    (post,) = posts_of(text)

    assert post.text.split("\n\n") == paragraphs


def test_comment_form_is_cut_from_a_short_post(shared_dir: Path) -> None:
    seed = seed_path(shared_dir, "000").read_text(encoding="utf-8")
    form = seed[seed.index("댓글 남기기") :]
    paragraphs = [f"{number}. {KO_PARAGRAPH}" for number in range(5)]
    text = "배터리 메모\n\n" + "\n\n".join(paragraphs) + "\n\n" + form

    (post,) = posts_of(text)

    assert "댓글 남기기" not in post.text
    assert "계정을 사용하여 댓글을 남깁니다" not in post.text
    assert post.text.split("\n\n") == paragraphs


def test_comment_heading_early_in_a_short_post_is_kept() -> None:
    # A bare marker near the top that is followed by prose, not a form, is a heading.
    lines = [
        "독자 메모",
        "댓글",
        "지난주 글에 달린 의견을 모아 보았다.",
        "배터리 가격이 더 내려갈 것이라는 의견이 많았다.",
        KO_PARAGRAPH,
    ]

    (post,) = posts_of("\n".join(lines))

    assert post.text.split("\n") == lines[1:]


def test_a_document_of_furniture_only_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        posts_of("본문 바로가기\nTags\n공유하기\n위로 ↑")

    assert caught.value.subject == "memo.txt"
    assert "furniture" in caught.value.reason


def test_blank_document_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^memo\.txt: empty"):
        posts_of(" \n\u200b\n\t")


# --- splitting --------------------------------------------------------------------------------


def test_archive_with_trailing_bylines_splits_per_item() -> None:
    text = "\n".join(
        [
            KO_PARAGRAPH,
            "김서연 2025.12.11 08:10 KST",
            EN_PARAGRAPH,
            "Daniel Park 2025.12.04 18:30 EST",
            "테슬라는 로보택시 서비스를 내년 말까지 미국 10개 도시로 확대하겠다고 밝혔다.",
            "김서연 2025.11.27 07:45 KST",
        ]
    )

    posts = posts_of(text)

    assert [(p.author, p.published) for p in posts] == [
        ("김서연", datetime(2025, 12, 11, 8, 10, tzinfo=ZoneInfo("Etc/GMT-9"))),
        ("Daniel Park", datetime(2025, 12, 4, 18, 30, tzinfo=ZoneInfo("Etc/GMT+5"))),
        ("김서연", datetime(2025, 11, 27, 7, 45, tzinfo=ZoneInfo("Etc/GMT-9"))),
    ]
    assert [p.text for p in posts] == [
        KO_PARAGRAPH,
        EN_PARAGRAPH,
        "테슬라는 로보택시 서비스를 내년 말까지 미국 10개 도시로 확대하겠다고 밝혔다.",
    ]
    assert [p.lang for p in posts] == ["ko", "en", "ko"]


def test_archive_with_leading_bylines_splits_per_item() -> None:
    text = "\n".join(
        [
            "홍길동 2025.11.03 09:00 KST",
            KO_PARAGRAPH,
            "Jane Doe 2025.11.02 17:00 EST",
            EN_PARAGRAPH,
        ]
    )

    posts = posts_of(text)

    assert [(p.author, p.text) for p in posts] == [
        ("홍길동", KO_PARAGRAPH),
        ("Jane Doe", EN_PARAGRAPH),
    ]
    assert [p.published.date() for p in posts if p.published] == [
        date(2025, 11, 3),
        date(2025, 11, 2),
    ]


def test_archive_with_date_lines_splits_with_titles_above_the_dates() -> None:
    text = "\n".join(
        [
            "주간 반도체 메모",
            "2025.11.03",
            KO_PARAGRAPH,
            "",
            "Rates outlook",
            "November 10, 2025",
            EN_PARAGRAPH,
            "",
            "세 번째 메모",
            "2025년 11월 17일",
            KO_PARAGRAPH + " 추가로 환율도 안정될 것이다.",
        ]
    )

    posts = posts_of(text)

    assert [p.title for p in posts] == ["주간 반도체 메모", "Rates outlook", "세 번째 메모"]
    assert [p.published for p in posts] == [
        datetime(2025, 11, 3, tzinfo=SEOUL),
        datetime(2025, 11, 10, tzinfo=SEOUL),
        datetime(2025, 11, 17, tzinfo=SEOUL),
    ]
    assert [p.text for p in posts] == [
        KO_PARAGRAPH,
        EN_PARAGRAPH,
        KO_PARAGRAPH + " 추가로 환율도 안정될 것이다.",
    ]


def test_archive_with_horizontal_rules_splits_when_every_part_is_dated() -> None:
    # Each part is dated its own way (bracketed heading, date line, byline), so only the rules
    # tell where one item ends and the next begins.
    text = "\n".join(
        [
            "첫 번째 글 (2025.11.03)",
            KO_PARAGRAPH,
            "---",
            "Second post",
            "Posted on November 10, 2025",
            EN_PARAGRAPH,
            "ㅡㅡㅡㅡㅡ",
            "세 번째 글",
            KO_PARAGRAPH + " 세 번째.",
            "홍길동 2025.11.17 09:00 KST",
        ]
    )

    posts = posts_of(text)

    assert [(p.title, p.author, p.published) for p in posts] == [
        ("첫 번째 글 (2025.11.03)", None, datetime(2025, 11, 3, tzinfo=SEOUL)),
        ("Second post", None, datetime(2025, 11, 10, tzinfo=SEOUL)),
        ("세 번째 글", "홍길동", datetime(2025, 11, 17, 9, tzinfo=ZoneInfo("Etc/GMT-9"))),
    ]
    assert [p.text for p in posts] == [KO_PARAGRAPH, EN_PARAGRAPH, KO_PARAGRAPH + " 세 번째."]


def test_rules_between_dated_items_are_not_left_in_the_text() -> None:
    text = "\n".join(
        [
            "첫 번째 글",
            "2025.11.03",
            KO_PARAGRAPH,
            "---",
            "Second post",
            "2025.11.10",
            EN_PARAGRAPH,
            "---",
            "세 번째 글",
            "2025.11.17",
            KO_PARAGRAPH + " 세 번째.",
        ]
    )

    posts = posts_of(text)

    assert [p.published.day for p in posts if p.published] == [3, 10, 17]
    assert [p.text for p in posts] == [KO_PARAGRAPH, EN_PARAGRAPH, KO_PARAGRAPH + " 세 번째."]


def test_rule_separated_items_with_mixed_date_styles_all_split() -> None:
    text = "\n".join(
        [
            "첫 번째 글",
            "2025.11.03",
            KO_PARAGRAPH,
            "---",
            "Second post",
            "Posted on November 10, 2025",
            EN_PARAGRAPH,
            "* * *",
            "HBM 시장 정리 (2025.11.17)",
            KO_PARAGRAPH + " 세 번째.",
        ]
    )

    posts = posts_of(text)

    assert [(p.title, p.published) for p in posts] == [
        ("첫 번째 글", datetime(2025, 11, 3, tzinfo=SEOUL)),
        ("Second post", datetime(2025, 11, 10, tzinfo=SEOUL)),
        ("HBM 시장 정리 (2025.11.17)", datetime(2025, 11, 17, tzinfo=SEOUL)),
    ]


def test_rule_inside_a_dated_item_stays_and_rules_between_items_go() -> None:
    # The second part is an undated section of the first item, so the date lines split and the
    # rule that closed an item must not trail its text.
    text = "\n".join(
        [
            "첫 번째 글",
            "2025.11.03",
            KO_PARAGRAPH,
            "ㅡㅡㅡㅡㅡ",
            EN_PARAGRAPH,
            "---",
            "두 번째 글",
            "2025.11.10",
            KO_PARAGRAPH + " 두 번째.",
        ]
    )

    posts = posts_of(text)

    assert [p.published.day for p in posts if p.published] == [3, 10]
    assert [p.text for p in posts] == [
        f"{KO_PARAGRAPH}\nㅡㅡㅡㅡㅡ\n{EN_PARAGRAPH}",
        KO_PARAGRAPH + " 두 번째.",
    ]


def test_rules_between_bylined_items_are_not_left_in_the_text() -> None:
    text = "\n".join(
        [
            KO_PARAGRAPH,
            "김서연 2025.12.11 08:10 KST",
            "* * *",
            EN_PARAGRAPH,
            "Daniel Park 2025.12.04 18:30 EST",
            "* * *",
            KO_PARAGRAPH + " 세 번째.",
            "김서연 2025.11.27 07:45 KST",
        ]
    )

    posts = posts_of(text)

    assert [p.author for p in posts] == ["김서연", "Daniel Park", "김서연"]
    assert [p.text for p in posts] == [KO_PARAGRAPH, EN_PARAGRAPH, KO_PARAGRAPH + " 세 번째."]


def test_single_blog_post_with_korean_rules_does_not_split() -> None:
    text = "\n".join(
        [
            "테슬라 메모",
            KO_PARAGRAPH,
            "ㅡㅡㅡ",
            "FSD라는 것의 정체는 무엇일까? 자율주행 소프트웨어의 판매가 핵심이 될 것이다.",
            "ㅡㅡㅡㅡㅡㅡㅡㅡ",
            EN_PARAGRAPH,
        ]
    )

    (post,) = posts_of(text)

    assert post.title == "테슬라 메모"
    assert KO_PARAGRAPH in post.text
    assert "FSD라는 것의 정체는 무엇일까?" in post.text
    assert EN_PARAGRAPH in post.text
    assert post.published is None


def test_rules_do_not_split_when_only_one_part_has_a_date() -> None:
    text = "\n".join(["반도체 메모 (2025.11.12)", KO_PARAGRAPH, "ㅡㅡㅡㅡㅡ", EN_PARAGRAPH])

    (post,) = posts_of(text)

    assert post.published == datetime(2025, 11, 12, tzinfo=SEOUL)
    assert KO_PARAGRAPH in post.text and EN_PARAGRAPH in post.text


def test_split_items_of_a_page_get_distinct_canonical_urls() -> None:
    document = RawDocument(
        "https://milk.example/archive",
        SourceKind.URL,
        f"{KO_PARAGRAPH}\n홍길동 2025.11.03 09:00 KST\n{EN_PARAGRAPH}\nJane Doe 2025.11.02 17:00 EST",
        title="Archive",
        canonical_url="https://milk.example/archive",
    )

    posts = build_posts(document, GUILD, SEOUL)

    assert [p.canonical_url for p in posts] == [
        "https://milk.example/archive#item-1",
        "https://milk.example/archive#item-2",
    ]
    assert "Archive" not in [p.title for p in posts]


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "author", "published"),
    [
        (
            ["시장 메모", KO_PARAGRAPH, "홍길동 2025.11.04 12:47 PDT"],
            "홍길동",
            datetime(2025, 11, 4, 12, 47, tzinfo=ZoneInfo("Etc/GMT+7")),
        ),
        (
            ["Market memo", "By Jane Doe | November 3, 2025 09:15 ET", EN_PARAGRAPH],
            "Jane Doe",
            datetime(2025, 11, 3, 9, 15, tzinfo=ZoneInfo("America/New_York")),
        ),
        (["시장 메모", "2025년 11월 3일", KO_PARAGRAPH], None, datetime(2025, 11, 3, tzinfo=SEOUL)),
        (
            ["Market memo", "Posted on November 3, 2025", EN_PARAGRAPH],
            None,
            datetime(2025, 11, 3, tzinfo=SEOUL),
        ),
        (
            ["시장 메모", "작성일: 2025-11-03 14:30", KO_PARAGRAPH],
            None,
            datetime(2025, 11, 3, 14, 30, tzinfo=SEOUL),
        ),
        (
            ["HBM 시장 정리 메모 (2025.11.12)", KO_PARAGRAPH],
            None,
            datetime(2025, 11, 12, tzinfo=SEOUL),
        ),
        (
            ["HBM 시장 정리 메모 [2025-11-12]", KO_PARAGRAPH],
            None,
            datetime(2025, 11, 12, tzinfo=SEOUL),
        ),
    ],
    ids=["byline", "english-byline", "korean-date-line", "posted-on", "labelled", "bracket", "sq"],
)
def test_dates_from_bylines_date_lines_and_headings(
    lines: list[str], author: str | None, published: datetime
) -> None:
    (post,) = posts_of("\n".join(lines))

    assert post.author == author
    assert post.published == published
    assert post.published is not None and post.published.utcoffset() == published.utcoffset()
    assert KO_PARAGRAPH in post.text or EN_PARAGRAPH in post.text


def test_date_lines_and_bylines_are_not_left_in_the_body() -> None:
    (dated,) = posts_of(f"시장 메모\n2025년 11월 3일\n{KO_PARAGRAPH}")
    (signed,) = posts_of(f"시장 메모\n{KO_PARAGRAPH}\n홍길동 2025.11.04 12:47 PDT")

    assert dated.text == KO_PARAGRAPH
    assert signed.text == KO_PARAGRAPH


def test_dates_inside_body_sentences_do_not_date_the_post() -> None:
    text = "\n".join(
        [
            "시장 메모",
            KO_PARAGRAPH,
            "2025년 11월 3일에 실적 발표가 있었다. 주가는 크게 올랐다.",
            "On November 3, 2025 the company reported record revenue.",
        ]
    )

    (post,) = posts_of(text)

    assert post.published is None
    assert "2025년 11월 3일에 실적 발표가 있었다." in post.text


def test_unknown_date_stays_none_never_now() -> None:
    (post,) = posts_of(f"에세이\n{KO_PARAGRAPH}\n{EN_PARAGRAPH}")

    assert post.published is None


def test_fallback_published_fills_only_unknown_dates() -> None:
    fallback = datetime(2020, 1, 2, tzinfo=SEOUL)

    (undated,) = posts_of(f"에세이\n{KO_PARAGRAPH}", fallback_published=fallback)
    (dated,) = posts_of(f"메모\n2025.11.03\n{KO_PARAGRAPH}", fallback_published=fallback)
    bylined = posts_of(
        f"{KO_PARAGRAPH}\n홍길동 2025.11.03 09:00 KST\n{EN_PARAGRAPH}\nJane Doe 2025.11.02 17:00 EST",
        fallback_published=fallback,
    )

    assert undated.published == fallback
    assert dated.published == datetime(2025, 11, 3, tzinfo=SEOUL)
    assert [p.published.date() for p in bylined if p.published] == [
        date(2025, 11, 3),
        date(2025, 11, 2),
    ]


def test_document_metadata_date_wins_over_the_fallback() -> None:
    document = RawDocument(
        "page",
        SourceKind.URL,
        f"{KO_PARAGRAPH}\n{EN_PARAGRAPH}",
        title="메타데이터 날짜",
        published=datetime(2025, 11, 4, 9, 30, tzinfo=SEOUL),
    )

    (post,) = build_posts(document, GUILD, SEOUL, datetime(2020, 1, 1, tzinfo=SEOUL))

    assert post.title == "메타데이터 날짜"
    assert post.published == datetime(2025, 11, 4, 9, 30, tzinfo=SEOUL)


# --- how the date was known -------------------------------------------------------------------


def test_each_post_records_how_its_date_was_known() -> None:
    (bylined,) = posts_of(f"시장 메모\n{KO_PARAGRAPH}\n홍길동 2025.11.04 12:47 PDT")
    (labelled,) = posts_of(
        f"시장 메모\n입력 2025.11.04 09:40 수정 2025.11.04 10:20\n{KO_PARAGRAPH}"
    )
    (as_of,) = posts_of(f"시장 메모\n(2025.11.28 기준)\n{KO_PARAGRAPH}")
    (given,) = posts_of(
        f"에세이\n{KO_PARAGRAPH}", fallback_published=datetime(2020, 1, 2, tzinfo=SEOUL)
    )
    (unknown,) = posts_of(f"에세이\n{KO_PARAGRAPH}")
    meta = RawDocument(
        "page",
        SourceKind.URL,
        KO_PARAGRAPH,
        title="t",
        published=datetime(2025, 11, 4, tzinfo=SEOUL),
    )
    (metadata,) = build_posts(meta, GUILD, SEOUL)

    assert [p.published_source for p in (bylined, labelled, as_of, given, unknown, metadata)] == [
        DateSource.TEXT,
        DateSource.TEXT,
        DateSource.TEXT,
        DateSource.GIVEN,
        DateSource.UNKNOWN,
        DateSource.METADATA,
    ]
    assert as_of.published == datetime(2025, 11, 28, tzinfo=SEOUL)
    assert unknown.published is None and unknown.date_source is DateSource.UNKNOWN


def test_a_date_in_the_address_dates_a_page_without_one() -> None:
    document = RawDocument(
        "https://blog.example.com/2025/11/04/hbm",
        SourceKind.URL,
        f"{KO_PARAGRAPH}\n{EN_PARAGRAPH}",
        title="주소에만 날짜",
        canonical_url="https://blog.example.com/2025/11/04/hbm",
    )

    (post,) = build_posts(document, GUILD, SEOUL)

    assert post.published == datetime(2025, 11, 4, tzinfo=SEOUL)
    assert post.published_source is DateSource.URL


def test_the_page_metadata_wins_over_the_address_and_the_opening_over_the_address() -> None:
    address = "https://blog.example.com/2025/11/04/hbm"
    with_meta = RawDocument(
        address, SourceKind.URL, KO_PARAGRAPH, title="t", canonical_url=address,
        published=datetime(2025, 11, 5, 8, 0, tzinfo=SEOUL),
    )  # fmt: skip
    with_opening = RawDocument(
        address, SourceKind.URL, f"입력 2025.11.06 09:40\n{KO_PARAGRAPH}", title="t",
        canonical_url=address,
    )  # fmt: skip

    (meta,) = build_posts(with_meta, GUILD, SEOUL)
    (opening,) = build_posts(with_opening, GUILD, SEOUL)

    assert (meta.published.date(), meta.published_source) == (
        date(2025, 11, 5),
        DateSource.METADATA,
    )
    assert (opening.published.date(), opening.published_source) == (
        date(2025, 11, 6),
        DateSource.TEXT,
    )


def test_a_file_name_is_not_an_address() -> None:
    document = RawDocument("/downloads/2025-11-04-notes.txt", SourceKind.FILE, KO_PARAGRAPH)

    (post,) = build_posts(document, GUILD, SEOUL)

    assert post.published is None and post.published_source is DateSource.UNKNOWN


def test_inferred_dates_after_ingestion_are_not_publication_dates() -> None:
    ingested = datetime(2025, 12, 15, 9, 0, tzinfo=SEOUL)
    target = RawDocument("pasted", SourceKind.TEXT, f"목표 메모\n(2026.03.31 기준)\n{KO_PARAGRAPH}")
    address = RawDocument(
        "https://example.com/2026/03/31/plan", SourceKind.URL, KO_PARAGRAPH, title="t"
    )

    (future_as_of,) = build_posts(target, GUILD, SEOUL, not_after=ingested)
    (future_url,) = build_posts(address, GUILD, SEOUL, not_after=ingested)
    (kept,) = build_posts(target, GUILD, SEOUL)  # without a bound, the date stands

    assert future_as_of.published is None and future_url.published is None
    assert kept.published == datetime(2026, 3, 31, tzinfo=SEOUL)


def test_items_of_an_archive_are_dated_by_their_own_lines_only() -> None:
    text = "\n".join(
        [
            f"첫 번째 글\n{KO_PARAGRAPH}\n홍길동 2025.11.04 12:47 KST",
            f"두 번째 글\n{EN_PARAGRAPH}\nJane Doe 2025.11.02 17:00 EST",
        ]
    )
    document = RawDocument(
        "https://example.com/2025/10/01/archive", SourceKind.URL, text, canonical_url=None
    )

    posts = build_posts(document, GUILD, SEOUL)

    assert [p.published_source for p in posts] == [DateSource.TEXT, DateSource.TEXT]
    assert [p.published.date() for p in posts if p.published] == [
        date(2025, 11, 4),
        date(2025, 11, 2),
    ]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # A category or a blog's name above the headline is not the title.
        (
            "경제\n\n[전문 분석] 코스피, 추석 이후 3600 도전?\n\n본문은 여기서 시작합니다. 자세히 봅니다.",
            "[전문 분석] 코스피, 추석 이후 3600 도전?",
        ),
        (
            "반응형\n\n2023년 1월 연준 FOMC 회의 일정\n\n회의는 1월 31일부터 2월 1일이다.",
            "2023년 1월 연준 FOMC 회의 일정",
        ),
        (
            "본문 바로가기\n카테고리 없음\n\n2차전지 반등 시그널 (ESS 성장)\n\nby dreambo 2026. 1. 29.\n본문이다.",
            "2차전지 반등 시그널 (ESS 성장)",
        ),
        (
            "Menu\n\nNuclear Power Gains Traction Amid Tech Industry Growth\n\nPublished October 17, 2024\n\nNuclear power is back.",
            "Nuclear Power Gains Traction Amid Tech Industry Growth",
        ),
        (
            "#binance #hype #zec\n\nBen Cowen: Ethereum is unlikely to reach new highs in 2026\n\nEthereum is unlikely to rise.",
            "Ben Cowen: Ethereum is unlikely to reach new highs in 2026",
        ),
        # A name alone above its byline is the headline when nothing else is.
        (
            "한화오션\n전문가 | 2026-01-12 | 조회수 381\n\n한화오션은 2026년 1월 현재 조선 상장기업 브랜드 평판 1위를 기록하며 시장의 뜨거운 관심을 받고 있으나 기술적 과열과 실적 인식 시차라는 과제를 동시에 안고 있습니다.",
            "한화오션",
        ),
    ],
)
def test_the_posts_own_headline_is_the_title(text: str, title: str) -> None:
    [post] = posts_of(text)
    assert post.title == title


def test_a_greeting_never_titles_a_post() -> None:
    [post] = posts_of(
        "안녕하세요, 구독자 여러분! 이번 주 소식을 전해 드립니다.\n\n"
        "반도체 업황은 내년 상반기에 회복될 것으로 보인다. 메모리 가격도 오른다."
    )
    assert not post.title.startswith("안녕하세요")
    assert post.title.startswith("반도체 업황은")


@pytest.mark.parametrize(
    ("written", "clean"),
    [
        ("홍길동 ·", "홍길동"),
        ("| Jane Doe |", "Jane Doe"),
        (" 송기욱 = ", "송기욱"),
        ("·", None),
        (None, None),
    ],
)
def test_an_author_loses_its_byline_separators(written: str | None, clean: str | None) -> None:
    assert clean_author(written) == clean


def test_a_document_author_is_stored_without_separators() -> None:
    [post] = build_posts(
        RawDocument("memo.txt", SourceKind.FILE, "제목\n\n본문이다.", author="홍길동 ·"),
        GUILD,
        SEOUL,
    )
    assert post.author == "홍길동"


def test_a_page_titled_with_its_category_takes_the_headline_from_its_text() -> None:
    document = RawDocument(
        "https://blog.example/1",
        SourceKind.URL,
        "2차전지 반등 시그널 (ESS 성장, 실적 턴어라운드)\n\n2차전지 산업은 조정을 겪었습니다.",
        title="미국증시",
    )
    [post] = build_posts(document, GUILD, SEOUL)
    assert post.title == "2차전지 반등 시그널 (ESS 성장, 실적 턴어라운드)"


def test_a_page_with_its_own_title_keeps_it() -> None:
    document = RawDocument(
        "https://news.example/1",
        SourceKind.URL,
        "Key Points\n\nNvidia reports on Wednesday.",
        title="LIVE: Will NVIDIA Continue to Surge After Q2 Earnings?",
    )
    [post] = build_posts(document, GUILD, SEOUL)
    assert post.title == "LIVE: Will NVIDIA Continue to Surge After Q2 Earnings?"
