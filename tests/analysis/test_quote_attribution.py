"""Who said a quote, in the ways news, notes, calls and blogs write it."""

from __future__ import annotations

import pytest

from digests.analysis.quotes import extract_quotes
from digests.analysis.sentences import segment


def speakers(text: str) -> list[str | None]:
    return [quote.speaker for quote in extract_quotes(text, segment(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "미국 로봇 스타트업 벨로사이트 로보틱스의 라이언 코스텔로 CEO는 “휴머노이드는 이제 연구실을 떠날 준비가 됐다”며 웃었다.",
            ["라이언 코스텔로"],
        ),
        (
            "토마스 쿠리안(Thomas Kurian) 구글 클라우드 최고경영자(CEO)는 “TPU 수요가 예상보다 훨씬 빠르게 늘고 있다”고 말했다.",
            ["토마스 쿠리안"],
        ),
        ('🔹 CFO(박지훈): "고객사 재고는 정상 수준이고 4Q 물량은 이미 확보했다"', ["박지훈"]),
        (
            "- 유튜버 테크몽키 → “내년 이맘때면 FSD 중국 승인 뉴스 나온다. 이건 거의 확실하다”라고 함",
            ["테크몽키"],
        ),
        (
            "저녁을 먹다가 아버지는 “기계가 일을 다 하면 사람은 뭘 하고 사냐”고 물으셨다.",
            ["아버지"],
        ),
        (
            '"For the September quarter, we expect revenue of $650 million to $680 million." — Priya Raman, CFO',
            ["Priya Raman"],
        ),
        (
            'CFO Lena Hartmann: "For the September quarter we expect revenue of $640 to $680 million."',
            ["Lena Hartmann"],
        ),
        (
            '"The market is finally asking who pays for all of this," Priya Nandakumar, a senior analyst at Halden Partners, told us.',
            ["Priya Nandakumar"],
        ),
        (
            '"We are not trying to beat Nvidia at training," chief executive Elena Varga said in an interview.',
            ["Elena Varga"],
        ),
        (
            'As Hannah Cole, the CIO at Marlow Health, put it to us last month, "we\'re not moving another workload until we can keep the data in-country."',
            ["Hannah Cole"],
        ),
        (
            'Tom Aldana, head of strategy at Corbel Markets, thinks the next leg is underway. "We\'ll retest the August high before the end of the year."',
            ["Tom Aldana"],
        ),
    ],
)
def test_speaker_forms(text: str, expected: list[str]) -> None:
    assert speakers(text) == expected


def test_a_pronoun_goes_to_the_person_not_the_company() -> None:
    text = (
        "I spent an afternoon with Marisol Oyelaran, the chief planning officer at Brazos Peak Energy. "
        '"We are turning away more load than we connected in all of 2022," she told me. '
        "Brazos Peak expects to have 4 GW of signed load by 2026. "
        '"Anyone who says SMRs will carry this load before 2030 hasn\'t priced a reactor," she said.'
    )
    assert speakers(text) == ["Marisol Oyelaran", "Marisol Oyelaran"]


def test_a_heading_label_is_not_a_speaker() -> None:
    assert speakers('Note: "this section is a summary of the call and not advice at all."') == [
        None
    ]
