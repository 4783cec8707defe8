"""Local files and folders: every bad input gives one clear InputError; Korean encodings decode."""

from __future__ import annotations

import codecs
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digests.errors import InputError
from digests.ingest.documents import build_posts
from digests.ingest.loaders import expand_inputs, load_file, pasted_document
from digests.models import SourceKind
from tests.conftest import make_settings as settings_for

SEOUL = ZoneInfo("Asia/Seoul")
LIMIT = 1_000_000
KOREAN = "한국은행은 내년 상반기에 기준금리를 인하할 것으로 보인다. 똠방각하 펲시 같은 글자도 있다."
C1_OR_REPLACEMENT = re.compile("[\x80-\x9f\ufffd]")


def assert_input_error(error: InputError, subject: Path | str, reason: str) -> None:
    assert error.subject == str(subject)
    assert reason in error.reason
    assert error.user_message == f"{subject}: {error.reason}"
    assert "\n" not in error.user_message


def load_error(path: Path, max_bytes: int = LIMIT) -> InputError:
    with pytest.raises(InputError) as caught:
        load_file(path, SEOUL, max_bytes)
    return caught.value


# --- paths and folders ------------------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "post.txt"

    with pytest.raises(InputError) as caught:
        expand_inputs(missing)

    assert_input_error(caught.value, missing, "no such file or folder")


def test_empty_folder_has_no_posts(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        expand_inputs(tmp_path)

    assert_input_error(caught.value, tmp_path, "folder has no .txt, .md or .html files")


def test_folder_with_only_unsupported_or_hidden_files_has_no_posts(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / ".hidden.txt").write_text(KOREAN, encoding="utf-8")
    (tmp_path / ".drafts").mkdir()
    (tmp_path / ".drafts" / "draft.md").write_text(KOREAN, encoding="utf-8")

    with pytest.raises(InputError) as caught:
        expand_inputs(tmp_path)

    assert_input_error(caught.value, tmp_path, "folder has no")


def test_folder_expands_to_its_text_files_recursively_in_order(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("b", encoding="utf-8")
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.HTML").write_text("<p>c</p>", encoding="utf-8")
    (tmp_path / "skip.pdf").write_bytes(b"%PDF")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("x", encoding="utf-8")

    files = expand_inputs(tmp_path)

    assert files == [tmp_path / "a.txt", tmp_path / "b.md", tmp_path / "sub" / "c.HTML"]


def test_a_file_path_expands_to_itself(tmp_path: Path) -> None:
    path = tmp_path / "post.txt"
    path.write_text(KOREAN, encoding="utf-8")

    assert expand_inputs(path) == [path]


# --- bad files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t \r\n   \n", "empty"),
        ("blank.md", "\u3000\u00a0 \n\u3000".encode(), "empty"),
        ("bom-only.txt", codecs.BOM_UTF8 + b" \n ", "empty"),
        ("garbage.txt", bytes(range(0x80, 0x100)) * 8, "undecodable bytes"),
        ("scripts.html", None, "no readable text"),
        ("report.pdf", b"%PDF-1.4\n", "unsupported file type .pdf"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type .docx"),
        ("README", b"plain words", "unsupported file type (none)"),
    ],
)
def test_bad_files_name_the_input_and_the_reason(
    tmp_path: Path, name: str, data: bytes | None, reason: str
) -> None:
    path = tmp_path / name
    if data is None:
        data = (
            b"<html><head><script>var tracking = 1;</script><style>p { color: red }</style>"
            b"</head><body><script>document.write('hi')</script><noscript></noscript></body></html>"
        )
    path.write_bytes(data)

    assert_input_error(load_error(path), path, reason)


def test_text_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("가" * 1000, encoding="utf-8")  # 3,000 bytes

    error = load_error(path, max_bytes=2_999)

    assert_input_error(error, path, "too large")
    assert "3,000 bytes" in error.reason and "2,999" in error.reason
    assert load_file(path, SEOUL, 3_000).text == "가" * 1000


def test_the_default_limit_is_five_megabytes(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    path = tmp_path / "huge.txt"
    path.write_bytes(b"a" * (settings.max_document_bytes + 1))

    assert settings.max_document_bytes == 5_000_000
    assert_input_error(load_error(path, settings.max_document_bytes), path, "too large")


def test_size_limit_from_settings(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, max_document_bytes=100)
    path = tmp_path / "post.md"
    path.write_text("x" * 101, encoding="utf-8")

    assert_input_error(load_error(path, settings.max_document_bytes), path, "too large")


# --- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["cp949", "euc-kr"])
def test_korean_legacy_encodings_decode_without_mojibake(tmp_path: Path, codec: str) -> None:
    text = KOREAN if codec == "cp949" else "한국은행은 기준금리를 동결했다. 시장은 안도했다."
    path = tmp_path / "post.txt"
    path.write_bytes(text.encode(codec))

    document = load_file(path, SEOUL, LIMIT)

    assert document.text == text
    assert not C1_OR_REPLACEMENT.search(document.text)


def test_euc_kr_html_file_decodes_by_its_meta_charset(tmp_path: Path) -> None:
    paragraphs = [KOREAN * 3, "두 번째 문단에서도 한글이 깨지지 않아야 한다. " * 4]
    html = (
        '<html><head><meta charset="euc-kr"><title>금리 전망</title></head><body><article>'
        "<h1>금리 전망</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_bytes(html.encode("cp949"))

    document = load_file(path, SEOUL, LIMIT)

    assert document.title == "금리 전망"
    assert "똠방각하 펲시" in document.text
    assert not C1_OR_REPLACEMENT.search(document.text)


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + KOREAN.encode("utf-8"),
        codecs.BOM_UTF16_LE + KOREAN.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + KOREAN.encode("utf-16-be"),
    ],
    ids=["utf-8-bom", "utf-16-le", "utf-16-be"],
)
def test_byte_order_marks(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "post.txt"
    path.write_bytes(data)

    assert load_file(path, SEOUL, LIMIT).text == KOREAN


# --- formats ----------------------------------------------------------------------------------


def test_markdown_front_matter_gives_title_author_and_date(tmp_path: Path) -> None:
    path = tmp_path / "essay.md"
    path.write_text(
        "---\n"
        'title: "연말 전망을 믿지 않게 된 이유"\n'
        "author: 홍길동\n"
        "date: 2025-11-03\n"
        "tags: [macro]\n"
        "---\n"
        "# 들어가며\n\n"
        "매년 12월이면 **전망**이 쏟아진다. [링크](https://example.com)도 많다.\n",
        encoding="utf-8",
    )

    document = load_file(path, SEOUL, LIMIT)

    assert document.source == str(path)
    assert document.source_kind is SourceKind.FILE
    assert document.title == "연말 전망을 믿지 않게 된 이유"
    assert document.author == "홍길동"
    assert document.published == datetime(2025, 11, 3, tzinfo=SEOUL)
    assert "---" not in document.text and "title:" not in document.text
    assert "# " not in document.text and "**" not in document.text
    assert "매년 12월이면 전망이 쏟아진다. 링크도 많다." in document.text
    (post,) = build_posts(document, 1, SEOUL)
    assert (post.title, post.author, post.published) == (
        document.title,
        "홍길동",
        document.published,
    )


def test_markdown_front_matter_date_with_time_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "---\ntitle: Rates\nauthor: Jane Doe\ndate: 2025-11-03T09:30:00-05:00\n---\nBody.\n",
        encoding="utf-8",
    )

    document = load_file(path, SEOUL, LIMIT)

    assert (document.title, document.author) == ("Rates", "Jane Doe")
    assert document.published is not None
    assert document.published.isoformat() == "2025-11-03T09:30:00-05:00"


def test_markdown_without_front_matter_has_no_metadata(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text("# 제목\n\n본문입니다.\n", encoding="utf-8")

    document = load_file(path, SEOUL, LIMIT)

    assert (document.title, document.author, document.published) == (None, None, None)
    assert document.text.startswith("제목")


def test_html_file_gives_title_and_main_text(tmp_path: Path) -> None:
    body = "중국이 희토류 수출 통제를 강화하면서 공급망 불안이 커지고 있다. " * 4
    path = tmp_path / "article.html"
    path.write_text(
        "<html><head><meta charset='utf-8'><title>희토류 전쟁</title>"
        "<link rel='canonical' href='https://news.example/rare-earth'></head>"
        f"<body><nav>메뉴</nav><article><h1>희토류 전쟁</h1><p>{body}</p></article>"
        "<script>track()</script></body></html>",
        encoding="utf-8",
    )

    document = load_file(path, SEOUL, LIMIT)

    assert document.title == "희토류 전쟁"
    assert document.canonical_url == "https://news.example/rare-earth"
    assert document.text.startswith("중국이 희토류 수출 통제를")
    assert "track()" not in document.text


# --- pasted text ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t\u3000\n"])
def test_empty_pasted_text(text: str) -> None:
    with pytest.raises(InputError) as caught:
        pasted_document(text, LIMIT)

    assert_input_error(caught.value, "pasted text", "empty")


def test_pasted_text_over_the_limit_counts_bytes_not_characters() -> None:
    with pytest.raises(InputError) as caught:
        pasted_document("가" * 100, 299, source="message 42")

    assert_input_error(caught.value, "message 42", "too large")
    assert pasted_document("가" * 100, 300).source_kind is SourceKind.TEXT
