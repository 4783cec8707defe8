"""Named decision steps, the trace they leave, and the logistic model that decides."""

from __future__ import annotations

from datetime import date

import pytest

from digests.analysis.decision import ForecastModel, PostTrace, days_bucket
from digests.analysis.forecasts import extract_forecasts
from digests.analysis.sentences import segment

ANCHOR = date(2025, 12, 3)


def traced(text: str, model: ForecastModel | None = None) -> tuple[list, PostTrace]:
    trace = PostTrace(ANCHOR)
    forecasts = extract_forecasts(segment(text), ANCHOR, trace=trace, model=model)
    return forecasts, trace


def test_a_forecast_records_the_step_that_kept_it() -> None:
    forecasts, trace = traced("연준은 내년 상반기 금리를 두 차례 인하할 것이다.")
    assert [f.due_end for f in forecasts] == [date(2026, 6, 30)]
    (record,) = trace.sentences.values()
    (candidate,) = record.candidates
    assert candidate.taken and candidate.rules_keep and candidate.decided_by == "rules"
    assert candidate.steps[-1].name == "tense_and_window" and candidate.steps[-1].verdict == "keep"
    assert candidate.features["rules_keep"] == 1.0


def test_a_past_fact_records_why_it_was_dropped() -> None:
    forecasts, trace = traced("지난해 3분기 매출은 79조원을 기록했다.")
    assert forecasts == []
    (candidate,) = next(iter(trace.sentences.values())).candidates
    assert not candidate.taken
    assert [step.name for step in candidate.steps] == ["past_marker", "tense_and_window"]
    assert candidate.status == "past"


def test_a_heading_is_dropped_at_sentence_level_with_its_reason() -> None:
    forecasts, trace = traced(
        "■ 2026년 반도체 전망\n삼성전자는 내년 HBM 매출이 두 배로 늘 것으로 본다."
    )
    heading = trace.sentences[0]
    assert any(step.name == "section_heading" for step in heading.steps)
    assert heading.candidates and not heading.candidates[0].taken
    assert heading.candidates[0].features["sentence_dropped"] == 1.0
    assert [f.sentence_index for f in forecasts] == [1]


def test_a_model_overrides_the_rules_and_records_its_score() -> None:
    never = ForecastModel(weights={}, bias=-5.0, threshold=0.5)
    always = ForecastModel(weights={"status=future": 10.0}, bias=-5.0, threshold=0.5)
    text = "연준은 내년 상반기 금리를 두 차례 인하할 것이다."
    assert traced(text, never)[0] == []
    forecasts, trace = traced(text, always)
    assert len(forecasts) == 1
    candidate = next(iter(trace.sentences.values())).candidates[0]
    assert candidate.decided_by == "model" and candidate.score == pytest.approx(0.993, abs=1e-3)


def test_a_model_never_takes_a_window_that_ended_before_the_post() -> None:
    always = ForecastModel(weights={}, bias=10.0, threshold=0.5)
    forecasts, _ = traced("지난해 3분기 매출은 79조원을 기록했다.", always)
    assert forecasts == []


def test_model_probability_contributions_and_file_round_trip() -> None:
    model = ForecastModel(weights={"a": 2.0, "b": -1.0}, bias=0.5, threshold=0.6, trained_on="x")
    assert model.probability({}) == pytest.approx(0.6225, abs=1e-4)
    assert model.probability({"a": 1.0, "b": 1.0}) == pytest.approx(0.8176, abs=1e-4)
    assert model.contributions({"a": 1.0, "b": 1.0, "c": 1.0}) == [("a", 2.0), ("b", -1.0)]
    assert ForecastModel.from_json(model.to_json()) == model


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-1, "past"),
        (0, "month"),
        (31, "month"),
        (90, "quarter"),
        (365, "year"),
        (900, "3y"),
        (2000, "far"),
    ],
)
def test_days_bucket(days: int, bucket: str) -> None:
    assert days_bucket(days) == bucket


def test_the_committed_model_file_records_its_training_and_the_comparison() -> None:
    import json

    from digests.analysis.decision import MODEL_FILE, default_model

    data = json.loads(MODEL_FILE.read_text("utf-8"))
    model = ForecastModel.from_json(data)
    assert "real dev/dev2/dev3/dev4 documents" in model.trained_on and model.weights
    cv = data["cross_validation"]

    def f1(figures: dict) -> float:
        return (
            2
            * figures["recall"]
            * figures["precision"]
            / (figures["recall"] + figures["precision"])
        )

    # The model decides only where it beat the rules in cross-validation on real posts.
    assert data["enabled"] == (f1(cv["model"]) > f1(cv["rules"]))
    assert (default_model() is not None) == data["enabled"]
    _, trace = traced("연준은 내년 상반기 금리를 두 차례 인하할 것이다.", model)
    assert next(iter(trace.sentences.values())).candidates[0].decided_by == "model"


def test_an_inherited_year_needs_a_claim_line() -> None:
    trace = PostTrace(ANCHOR)
    text = (
        "- 기준금리 전망\n"
        "- 원문 보기 ⇒\n"
        "- HBM 가격은 하반기에 꺾인다\n"
        "은행은 규제 환경이 상승세를 가능케 할 것으로 분석했다.\n"
        "비트코인 시가총액은 10조 달러에 달할 것이다.\n"
    )
    forecasts = extract_forecasts(
        segment(text), ANCHOR, title="2026년 전망", trace=trace, model=None
    )
    taken = {f.sentence_index for f in forecasts if f.due_end is not None}
    steps = {
        index: [step.name for c in record.candidates for step in c.steps]
        for index, record in trace.sentences.items()
    }
    assert 0 not in taken and "label_line" in steps[0]
    assert 1 not in taken and "label_line" in steps[1]
    assert 3 not in taken and "prose_without_figure" in steps[3]
    assert 4 in taken


@pytest.mark.parametrize(
    ("line", "role"),
    [
        ("▲ 2026년 출시 예정인 신형 모델. /사진=현대차", "caption"),
        ("사진=연합뉴스", "caption"),
        ("홍길동 기자 hong@example.com", "byline"),
        ("By Jane Doe", "byline"),
        ("삼성전자는 2026년 HBM 매출이 두 배로 늘 것으로 본다.", "prose"),
    ],
)
def test_page_roles(line: str, role: str) -> None:
    from digests.analysis.forecasts import page_role

    (sentence,) = segment(line)[:1]
    assert page_role(sentence) == role


def test_a_caption_is_never_a_forecast() -> None:
    forecasts, trace = traced("▲ 2026년 출시 예정인 신형 전기차. /사진=현대차")
    assert [f for f in forecasts if f.due_end] == []
    (record,) = trace.sentences.values()
    assert record.role == "caption" and any(s.name == "caption" for s in record.steps)
