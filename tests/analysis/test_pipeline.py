"""The analysis pipeline end to end: sentences, quotes, forecasts, themes, summaries, contract."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from digests.analysis.pipeline import Analyzer
from digests.analysis.quotes import extract_quotes
from digests.analysis.sentences import segment
from digests.errors import InputError
from digests.ingest.text import content_hash
from digests.models import Post, SourceKind


def make_post(text: str, published: date | None = date(2025, 3, 10), title: str = "제목") -> Post:
    return Post(
        guild_id=1,
        source="test",
        source_kind=SourceKind.TEXT,
        title=title,
        published=datetime(published.year, published.month, published.day, tzinfo=UTC)
        if published
        else None,
        lang="ko",
        text=text,
        content_hash=content_hash(text),
    )


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_sentence_offsets_point_back_to_the_text() -> None:
    text = (
        "테슬라는 2026년까지 로보택시를 출시할 것이다. 이는 중요한 변화다.\n"
        "- 첫째 항목: 내년 상반기 양산\n"
        "The company plans to ship in Q3 2025. Analysts expect more.\n"
        "구분 | 2024 | 2025E"
    )
    sentences = segment(text)
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        for token in sentence.tokens:
            # Kiwi restores elided morphemes ("…것”이라며" → 이/VCP) with zero width.
            assert sentence.start <= token.start <= token.end <= sentence.end
    texts = [sentence.text for sentence in sentences]
    assert "테슬라는 2026년까지 로보택시를 출시할 것이다." in texts
    # Kiwi keeps English runs together; they are split like English sentences.
    assert "The company plans to ship in Q3 2025." in texts
    assert "Analysts expect more." in texts
    kinds = {sentence.text: sentence.kind for sentence in sentences}
    assert kinds["구분 | 2024 | 2025E"] == "table"
    assert any(kind == "bullet" for kind in kinds.values())


def test_quotes_and_speakers_in_korean_news_style() -> None:
    text = (
        "토마스 쿠리안(Thomas Kurian) 구글 클라우드 최고경영자(CEO)는 “앤트로픽이 TPU 사용을 크게 "
        "늘린 것은 가격 대비 성능을 반영한 것”이라며 “혁신을 계속하겠다”고 설명했다. "
        "이어 “메모리는 주문을 받고 만드는 산업이 됐다”고 강조했다.\n"
        "한 업계 관계자는 “증설 계획이 모두 실현되면 가격이 하락할 가능성이 높다”고 밝혔다.\n"
        "그는 ‘언택트’라는 말을 좋아한다."
    )
    quotes = extract_quotes(text, segment(text))
    by_text = {quote.text[:10]: quote.speaker for quote in quotes}
    assert by_text["앤트로픽이 TPU "] == "토마스 쿠리안"
    assert by_text["혁신을 계속하겠다"] == "토마스 쿠리안"
    assert by_text["메모리는 주문을 받"] == "토마스 쿠리안"
    # unnamed, and written as such (issue 10: "한 애널리스트", never "한")
    assert by_text["증설 계획이 모두 "] == "한 업계 관계자"
    # A short scare quote is not speech.
    assert not any("언택트" in quote.text for quote in quotes)


def test_english_quotes_resolve_pronouns() -> None:
    text = (
        "Priya Raman, who covers utilities at Northgate Research, says the forecasts are inflated. "
        '"Half of these interconnection requests are speculative," she said.'
    )
    [quote] = extract_quotes(text, segment(text))
    assert quote.speaker == "Priya Raman"


def test_forecasts_separate_future_claims_from_past_results(analyzer: Analyzer) -> None:
    text = (
        "3분기 매출은 12조원을 기록했다.\n"
        "회사는 2026년 하반기 신공장을 가동할 계획이다.\n"
        "2023년 설립된 이 회사는 지난해 흑자로 돌아섰다.\n"
        "Revenue rose 22% in Q4 2024, and management expects growth above 30% in 2026."
    )
    [analysis] = analyzer.analyze([make_post(text)], default_anchor=date(2025, 3, 10))
    dated = [(f.timex, f.due_end) for f in analysis.forecasts if f.due_end]
    assert ("2026년 하반기", date(2026, 12, 31)) in dated
    assert ("2026", date(2026, 12, 31)) in dated
    assert all(due > date(2025, 3, 10) for _, due in dated)
    assert len(dated) == 2


def test_a_restated_and_translated_forecast_is_kept_once(analyzer: Analyzer) -> None:
    text = (
        "TSLA가 7월에 D1 chip을 이용한 슈퍼컴퓨터 DOJO를 생산한다고 한다.\n"
        "It is said that TSLA will produce supercomputer DOJO using D1 chip in July."
    )
    [analysis] = analyzer.analyze(
        [make_post(text, date(2023, 7, 12))], default_anchor=date(2023, 7, 12)
    )
    assert [f.due_end for f in analysis.forecasts] == [date(2023, 7, 31)]


def test_a_title_sets_the_horizon_of_its_list(analyzer: Analyzer) -> None:
    text = "1. 엔비디아 시가총액 7조 달러 돌파\n2. HBM 가격은 하반기에 꺾인다\n"
    post = make_post(text, date(2025, 12, 20), title="2026년 반도체 전망")
    [analysis] = analyzer.analyze([post], default_anchor=date(2025, 12, 20))
    assert {f.due_end for f in analysis.forecasts} == {date(2026, 12, 31)}
    assert len(analysis.forecasts) == 2


def test_undated_forecasts_are_kept_without_a_due_date(analyzer: Analyzer) -> None:
    [analysis] = analyzer.analyze(
        [make_post("언젠가 자율주행은 보편화될 것이다. 오늘은 날씨가 좋았다.")],
        default_anchor=date(2025, 3, 10),
    )
    assert [(f.due_end, f.kind) for f in analysis.forecasts] == [(None, "outlook")]


def test_summary_skips_fragments_and_keeps_order(analyzer: Analyzer) -> None:
    text = (
        "배터리 공급망 정리\n"
        "- 리튬\n"
        "북미 LFP 배터리 공장들은 2026년 하반기부터 본격 가동될 전망이다.\n"
        "국내 소재 업체들은 가격 경쟁에서 어려움을 겪고 있다.\n"
        "LFP 배터리 수요는 ESS 시장을 중심으로 빠르게 늘고 있다.\n"
        "LFP 배터리 수요는 ESS 시장을 중심으로 빠르게 늘고 있다고 한다.\n"
        "구독하기"
    )
    [analysis] = analyzer.analyze([make_post(text)], default_anchor=date(2025, 3, 10))
    assert 1 <= len(analysis.summary) <= 3
    assert "- 리튬" not in analysis.summary and "배터리 공급망 정리" not in analysis.summary
    # Redundancy control: the near-duplicate sentence does not enter next to its twin.
    assert sum("LFP 배터리 수요는" in sentence for sentence in analysis.summary) == 1
    positions = [text.index(sentence) for sentence in analysis.summary]
    assert positions == sorted(positions)
    labels = [label for label, _ in analysis.themes]
    assert "LFP 배터리" in labels or "LFP" in labels


def test_json_contract(analyzer: Analyzer) -> None:
    post = make_post(
        "삼성전자는 2026년 매출 300조원을 목표로 한다고 밝혔다.", title="삼성전자 목표"
    )
    report = Analyzer.report(analyzer.analyze([post], default_anchor=date(2025, 3, 10)))
    data = json.loads(report.model_dump_json())
    [entry] = data["posts"]
    assert set(entry) == {
        "title",
        "author",
        "published",
        "lang",
        "summary",
        "themes",
        "quotes",
        "predictions",
    }
    [prediction] = entry["predictions"]
    assert set(prediction) == {
        "text", "claim", "speaker", "timex", "due_start", "due_end", "granularity", "kind", "hedge",
        "confidence",
    }  # fmt: skip
    assert prediction["due_end"] == "2026-12-31"
    assert prediction["kind"] == "target"
    assert 0 <= prediction["confidence"] <= 1


def test_a_megabyte_line_without_punctuation_is_refused(analyzer: Analyzer) -> None:
    with pytest.raises(InputError, match="no sentence punctuation"):
        analyzer.analyze([make_post("가" * 1_000_000)], default_anchor=date(2025, 3, 10))
