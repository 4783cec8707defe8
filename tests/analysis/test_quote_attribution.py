"""Who said a quote, in the ways news, notes, calls and blogs write it."""

from __future__ import annotations

import pytest

from digests.analysis.quotes import Quote, extract_quotes, headline_speaker, title_quotes
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A title or apposition is kept whole when nobody is named, the person when named.
        (
            '"We will ship the chip next year," Samsung Electronics CEO said.',
            ["Samsung Electronics CEO"],
        ),
        (
            '"We will ship the chip next year," Samsung Electronics CEO Jun Young-hyun said.',
            ["Jun Young-hyun"],
        ),
        # Unnamed speakers as written, never the one-syllable "한".
        ('"Rates will fall by the summer," an analyst said.', ["an analyst"]),
        (
            '"Rates will fall by the summer," a senior analyst at Halden said.',
            ["a senior analyst at Halden"],
        ),
        ("한 애널리스트는 “금리는 여름까지 내려갈 것”이라고 말했다.", ["한 애널리스트"]),
        # A place or an institution between the name and the title is not part of the name.
        ("트럼프 미국 대통령은 “관세를 올리겠다”고 말했다.", ["트럼프"]),
        ("젠슨 황 엔비디아 CEO는 “수요가 공급을 훨씬 웃돌고 있다”고 말했다.", ["젠슨 황"]),
        ("7일 로이터와 CNBC 등에 따르면 팀 쿡 CEO는 “아이폰 수요가 강하다”고 말했다.", ["팀 쿡"]),
        # Organisations speak.
        (
            "JP모건은 “향후 2년 안에 유가가 최대 50% 폭락할 수 있다”는 전망까지 제시했다.",
            ["JP모건"],
        ),
        (
            "하나증권에서 SK하이닉스에 대해 '2분기 매출액은 20.4조원으로 전망한다.'라고 분석했다.",
            ["하나증권"],
        ),
        (
            'According to McKinsey analysts, "The power sector is rapidly becoming a protagonist in the AI story."',
            ["McKinsey analysts"],
        ),
        ('"Demand is strong across the board this year," said Goldman Sachs.', ["Goldman Sachs"]),
        # An unnamed source after a dash.
        (
            "“테슬라를 자동차 회사로만 평가하는 것은 아마존을 서점으로만 평가하는 것과 같다.” – 월스트리트 기술 분석가",
            ["월스트리트 기술 분석가"],
        ),
    ],
)
def test_titles_organisations_and_unnamed_speakers(text: str, expected: list[str]) -> None:
    assert speakers(text) == expected


def test_a_short_form_becomes_the_full_name_written_with_the_same_title() -> None:
    text = (
        "이창용 한국은행 총재가 기자간담회에서 “추가 인하 여부는 5월에 경제 전망을 보고 판단할 것”이라고 했다.\n\n"
        "이 총재는 질문을 받고 이같이 밝혔다.\n\n"
        "이 총재는 “경제 데이터만 보고 결정하려고 노력할 것”이라고 했다."
    )
    assert speakers(text) == ["이창용", "이창용"]


def test_a_surname_inside_a_word_is_not_a_name() -> None:
    text = (
        "장재훈 현대자동차 사장이 “2030년께 전기차 200만 대 판매를 달성하겠다”고 말했다.\n\n"
        "그는 “지난 3년간 EBIT 성장률은 연간 50%에 달했다”며 “아이오닉 7로 모멘텀을 이어가겠다”고 말했다.\n\n"
        "장 사장은 “수익도 계속 늘어나고 있다”고 강조했다."
    )
    assert speakers(text) == ["장재훈", "장재훈", "장재훈", "장재훈"]


def test_a_lone_surname_is_never_the_speaker() -> None:
    [speaker] = speakers("김 연구원은 “올해 실적은 시장 기대를 웃돌 것”이라고 말했다.")
    assert speaker == "김 연구원"


def test_a_follow_on_paragraph_keeps_the_speaker_of_the_paragraph_before() -> None:
    text = (
        "정원석 iM증권 연구원은 “보상금이 반영돼 수익성은 개선됐다”고 평가했다.\n"
        "이어 “ESS 출하량은 약 80% 증가한 것으로 추정된다”며 “테슬라 판매 호조세는 소형 배터리 부문 실적에 긍정적인 영향을 줬다”고 분석했다."
    )
    assert speakers(text) == ["정원석", "정원석", "정원석"]


def test_a_follow_on_sentence_without_a_named_subject_keeps_the_speaker() -> None:
    text = (
        "송재혁 삼성전자 사장은 “삼성의 원래 모습을 보여주는 것”이라고 밝혔다. "
        "이어 HBM4에 대한 고객사의 피드백에 대해서는 “매우 만족스럽다”고 전했다."
    )
    assert speakers(text) == ["송재혁", "송재혁"]


def test_the_analyst_and_a_surname_alone_refer_to_the_full_name_before() -> None:
    text = (
        "Ethereum is unlikely to reach new highs, according to crypto analyst Benjamin Cowen.\n\n"
        "This comes after veteran trader Peter Brandt predicted that Bitcoin could fall to $60,000.\n\n"
        "Cowen emphasized that such a scenario for ETH is possible.\n\n"
        '"The only altcoin I am considering for investment is Ethereum," the analyst added.'
    )
    assert speakers(text) == ["Benjamin Cowen"]


def test_a_quote_inside_a_sentence_about_the_analyst() -> None:
    text = (
        "JPMorgan's Andrea Teixeira downgraded Procter & Gamble to neutral on Friday. "
        "The analyst cited the outlook for “another lackluster quarter and normalization of "
        "category growth” as justification."
    )
    assert speakers(text) == ["Andrea Teixeira"]


def test_stated_and_tells_attribute_like_said() -> None:
    text = (
        "Economist Timothy Peterson looked at the data.\n"
        '"So the chances are in all probability nearer to 90%," he stated. '
        '"Somewhere between a 66% to 74% drop within the bear market," Cowen tells Journal.'
    )
    assert speakers(text) == ["Timothy Peterson", "Cowen"]


def test_a_quote_on_its_own_line_takes_the_person_of_the_paragraph_before() -> None:
    text = 'Jane Fraser, Citi CEO, spoke at the conference.\n"I expect rates to stay high through 2026."'
    assert speakers(text) == ["Jane Fraser"]


def test_a_quotation_signed_after_a_dash() -> None:
    text = (
        "Consider just a few:\n\n"
        "  • “He that can have patience can have what he will.” - Benjamin Franklin\n"
        "  • “Patience is bitter, but its fruit is sweet.” - Aristotle\n"
    )
    assert speakers(text) == ["Benjamin Franklin", "Aristotle"]


def test_a_name_after_its_title_and_an_organisation_after_its_kind() -> None:
    assert speakers('유명 애널리스트 플랜B는 "BTC는 10만 달러를 넘을 것"이라고 말했다.') == [
        "플랜B"
    ]
    assert speakers(
        '월스트리트 투자은행 번스타인이 "비트코인은 15만 달러까지 오를 것"이라고 전망했다.'
    ) == ["번스타인"]


def test_the_analyst_named_by_a_determiner_is_the_research_house_named_before() -> None:
    text = (
        "유진투자증권에 따르면 엔비디아의 가이던스는 매출 280억달러다.\n"
        "해당 연구원은 자체 예상치로 매출 299억달러를 내놨다. "
        '그는 "특히 마진이 중요한 관전 포인트"라고 설명했다.'
    )
    assert speakers(text) == ["유진투자증권"]


def test_a_quotation_cut_off_at_the_end_of_the_line_is_still_a_quote() -> None:
    text = (
        "김태린 DS리서치 연구원은 “블랙웰 울트라(GB300) 출하가 3분기부터 본격화되면서 "
        "하반기 데이터센터 매출 성장률이 다시 가팔라질\n이서연 2025.05.21 08:30 KST"
    )
    [quote] = extract_quotes(text, segment(text))
    assert quote.text.startswith("블랙웰 울트라") and quote.speaker == "김태린"


def test_a_short_phrase_said_with_a_verb_of_saying_is_speech_and_keeps_its_speaker() -> None:
    text = (
        "이은택 KB증권 연구원은 1일 보고서를 통해 이같이 밝혔다.\n"
        "이 연구원은 하반기 강세 확률이 높았던 것은 “재미로 참고할 데이터”라고 했다. "
        "그러면서도 “달러 약세가 계속된다면 상승장은 유지할 것이라고 생각한다”고 말했다."
    )
    assert speakers(text) == ["이은택", "이은택"]
    # Naming a thing is not speech.
    assert speakers("시장은 이를 ‘AI 거품’이라고 불렀다.") == []


def test_a_bullet_mark_before_the_subject_does_not_hide_it() -> None:
    text = '※ 파월 의장은 지난 7일 연설에서 "정책 조정을 서두를 필요가 없다"고 언급, 기대를 되돌림'
    assert speakers(text) == ["파월"]


def test_words_that_merely_look_like_names_do_not_expand_a_short_form() -> None:
    text = (
        "유진투자증권에 따르면 최소 300억달러 이상의 매출이 나와야 한다.\n"
        "이 연구원은 “이번 실적은 서프라이즈 폭이 크지 않을 가능성이 높다”이라고 설명했다."
    )
    [speaker] = speakers(text)
    assert speaker in {"이 연구원", "유진투자증권"}


def test_the_report_quoted_again_is_its_source() -> None:
    text = (
        "더블록에 따르면 번스타인이 최근 보고서에서 “비트코인은 강세 사이클을 재개할 전망이다”고 예상했다.\n"
        "또 보고서는 “과거에는 반감기 직후 가격 폭락이 발생했지만, 현재 사이클은 조정에 그쳤다”고 설명했다."
    )
    assert speakers(text) == ["번스타인", "번스타인"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A clause between the verb and the quotation, and a second quotation in the sentence.
        (
            'CFO Tom Adeyemi said gross margin "should be roughly flat sequentially in FQ3" and '
            'that the company expects to "return to double-digit free cash flow growth in 2027."',
            ["Tom Adeyemi", "Tom Adeyemi"],
        ),
        (
            'My old boss Ruth Calloway used to say, "Forecasts tell you more about the forecaster '
            'than about the future."',
            ["Ruth Calloway"],
        ),
        (
            "In a 1995 interview with investor Philip Carret, Louis Rukeyser asked him, "
            "\"What's the single most important thing you've learned about investing?\"",
            ["Louis Rukeyser"],
        ),
        # A long apposition and a colon before the quotation.
        (
            "A crack in the labor market. Jennifer Okafor, chief economist at Brightline Capital, "
            'put it well when we spoke on Thursday: "Layoffs are the one thing the Fed cannot '
            'look through."',
            ["Jennifer Okafor"],
        ),
        # A name glossed in another script.
        (
            '"We expect the Georgia line to reach full utilization by Q2 2026," CEO Daniel '
            "Seo(서다니엘) said on the call.",
            ["Daniel Seo"],
        ),
        # A pronoun after a date is the person before, not the month.
        (
            "When I asked Maren Sloane of Pike Street Capital about it back in September, she "
            'said, "capex does not get cut until the CFO gets scared."',
            ["Maren Sloane"],
        ),
    ],
)
def test_english_speakers_before_the_quotation(text: str, expected: list[str]) -> None:
    assert speakers(text) == expected


def test_sayings_signed_after_a_dash_without_quotation_marks() -> None:
    text = (
        "In my view patience is the most important factor and most people fall down. "
        "- John Lee (successful UK private investor)\n"
        "Some of history's greatest minds have held up patience as a key ingredient.\n"
        "  • When we own outstanding businesses, our favorite holding period is forever. "
        "- Warren Buffett\n"
        "Revenue for the quarter is due on July 30 - see the calendar below\n"
    )
    quotes = extract_quotes(text, segment(text))
    assert [(quote.text[:10], quote.speaker) for quote in quotes] == [
        ("In my view", "John Lee"),
        ("When we ow", "Warren Buffett"),
    ]


def test_they_is_a_group_not_the_last_person_named() -> None:
    text = (
        "Order Subscribe Sign in\n\n"
        'The Veridian miss stings. In January they told investors the sedan would ship "by the '
        'summer of this year, as planned."'
    )
    assert speakers(text) == [None]


def test_a_surname_alone_becomes_the_full_name_written_before() -> None:
    text = (
        "Bitcoin will finish the year higher, according to economist Timothy Peterson.\n"
        '"The median gain is over 50% in those years," Peterson said on X.'
    )
    assert speakers(text) == ["Timothy Peterson"]


def test_a_time_or_a_product_is_never_the_speaker_of_a_quotation_on_its_own_line() -> None:
    assert speakers(
        '이달 말 엔비디아 실적이 분수령이 될 거거든요\n"그래서 지금 사도 되나요 아니면 기다려야 되나요"'
    ) == [None]
    assert speakers(
        'HBM는 공급이 부족하다.\n\n"We think CoWoS supply stays tight through 1H26, and pricing holds."'
    ) == [None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a compound title ("재무장관", "경제부총리") is a title: the name before it speaks
        ("• 일본 가토 재무장관은 “엔화 움직임을 긴장감을 갖고 지켜보겠다”고 언급", ["가토"]),
        (
            "최상목 경제부총리는 귀국길에 “관세 협상은 다음 달에 마무리될 것”이라고 밝혔다.",
            ["최상목"],
        ),
        # "이 연구위원" is the 연구위원 named before, under a compound title too
        (
            "이태호 대신증권 연구위원은 “수출 수주가 계속 늘 것”이라고 했다. 시장은 조용했다.\n"
            "이 연구위원은 “내년 실적 추정치는 계속 오를 것”이라고 말했다.",
            ["이태호", "이태호"],
        ),
        # "A 산하 B": the body that speaks is the head, written last
        (
            "하나금융그룹 산하 하나금융연구소는 보고서를 통해 “집값 상승세는 둔화될 것”이라고 내다봤다.",
            ["하나금융연구소"],
        ),
        # nobody named: the unnamed speaker kept whole, with its determiner
        (
            "정부 발표 뒤 업계는 술렁였다. 한 바이오 벤처 대표는 “임상 일정이 또 밀릴 수밖에 없다”고 지적했다.",
            ["한 바이오 벤처 대표"],
        ),
        # a book quoted by its author's genitive
        (
            "한 베테랑 투자자의 책에서 “시장은 인내심 없는 사람의 돈을 인내심 있는 사람에게 옮긴다”는 문장을 읽었다.",
            ["한 베테랑 투자자"],
        ),
    ],
)
def test_korean_titles_heads_and_sources(text: str, expected: list[str]) -> None:
    assert speakers(text) == expected


def test_a_conversation_with_someone_is_not_their_text() -> None:
    # "X와의 인터뷰에서" is an interview with X, who does not speak here.
    text = "박민수 대표는 블룸버그와의 인터뷰에서 “올해 안에 흑자로 돌아설 것”이라고 말했다."
    assert speakers(text) == ["박민수"]


def test_a_company_and_a_multi_word_title_before_the_name_said() -> None:
    text = (
        '"Travel demand has come back faster than any of our models assumed," Airbus Chief '
        "Commercial Officer Christian Scherer told reporters on Monday."
    )
    assert speakers(text) == ["Christian Scherer"]


def test_a_name_glossed_in_latin_letters_right_before_the_quotation_speaks() -> None:
    # the particle is misspelt or missing, but the glossed name abuts the quotation
    text = "유명 트레이더 피터 브랜트(Peter Brandt) “비트코인은 연말까지 두 배가 될 수 있다”고 내다봤다."
    assert speakers(text) == ["피터 브랜트"]


def test_a_body_kiwi_does_not_know_speaks_when_it_is_the_subject_of_a_verb_of_saying() -> None:
    text = "공정위는 지난달 브리핑에서 “플랫폼 독점 규제안을 연내 확정하겠다”고 밝혔다."
    assert speakers(text) == ["공정위"]


def test_a_verb_phrase_with_a_topic_particle_is_not_a_speaker() -> None:
    # "…에 대해서는" carries 는 but names nobody; without a speaker the quote has none.
    text = "고객 반응에 대해서는 “예상보다 훨씬 만족스럽다”고 전했다."
    assert speakers(text) != ["대해서"]


def test_short_english_phrases_in_quotation_marks_are_not_speech() -> None:
    text = (
        'Investors called the rally "the Great Reset," and the CEO promised "amazing abundance," '
        'which sounded "data-dependent." Then "We will ship the new model in June," Lee said.'
    )
    quotes = extract_quotes(text, segment(text))
    assert [(quote.text, quote.speaker) for quote in quotes] == [
        ("We will ship the new model in June,", "Lee")
    ]


def test_a_korean_question_the_writer_asks_does_not_carry_the_previous_speaker() -> None:
    text = (
        "한 전업 투자자의 책에서 “손실은 수업료이고 복기는 필기다”라는 문장을 봤다. "
        "그러다 문득 한 생각이 들었다. “왜 그때 팔지 못했을까?” 1. 복기의 시작"
    )
    assert speakers(text) == ["한 전업 투자자", None]


def test_a_reporter_byline_is_not_the_speaker() -> None:
    text = '[서울=뉴스핌] 박정호 기자 =김도윤 한빛게임즈 대표는 "신작 두 종의 출시가 늦어져 송구하다"고 밝혔다.'
    assert speakers(text) == ["김도윤"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a transcript caption on the line before the quotation
        (
            "<인터뷰> 윤세진 한결바이오 전무\n"
            '"초기 단계에서 기술수출을 하는 전략으로 파이프라인을 키우고 있다."',
            ["윤세진"],
        ),
        (
            "[싱크] 문태호 / 다온제약 회장\n“임상 데이터에서 유의미한 결과를 충분히 확보했다고 판단했습니다.”",
            ["문태호"],
        ),
        # the caption and the quotation on one line, after other sentences
        (
            "실적 회복은 쉽지 않아 보입니다. [인터뷰] 남기현 한울증권 연구위원 "
            "“마진이 버텨 준다면 결국 성장이 중요한데 성장은 경기와 밀접합니다.”",
            ["남기현"],
        ),
        # a lone noun before a quotation names nobody
        ("전문가 “올해 비트코인 가격은 네 배 더 뛸 것으로 봅니다”", [None]),
    ],
)
def test_a_caption_without_a_particle_names_the_speaker(
    text: str, expected: list[str | None]
) -> None:
    assert speakers(text) == expected


def test_a_quotation_with_its_subject_dropped_continues_the_last_speaker() -> None:
    text = (
        "오세린 한국은행 총재는 “하반기 물가 흐름을 주의 깊게 지켜보겠다”고 말했습니다.\n"
        "중국 경기에 대한 우려도 커지고 있습니다.\n"
        "올해 물가상승률과 관련해서는 “지난 전망치보다 조금 높아질 것으로 예상된다”며 "
        "가능성을 내비쳤습니다."
    )
    assert speakers(text) == ["오세린", "오세린"]


def test_a_headline_speaker_speaks_the_deck_of_quotations_under_it() -> None:
    title = '한도윤 "석유화학 업계가 살아남을 수 있도록 재도약을 유도하겠다"'
    text = (
        '"전 정부에서 위기가 가속화…정부 지원을 총동원하겠다"\n'
        '"자구노력을 격려했고, 기업들도 동의했다고 본다"\n'
        "- 김기자 기자\n"
    )
    assert headline_speaker(title) == "한도윤"
    quotes = extract_quotes(text, segment(text), headline_speaker(title))
    assert [quote.speaker for quote in quotes] == ["한도윤", "한도윤"]
    assert [quote.speaker for quote in title_quotes(title, quotes)] == ["한도윤"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Laura Bennett, a portfolio manager at Crestline Capital, said that the March "
            "inflation report “did no real harm to the bond market at all.”",
            ["Laura Bennett"],
        ),
        (
            "Bennett also expects a quarter-point cut next week, saying a larger cut "
            "“should not be in the cards while the labor market holds up.”",
            ["Bennett"],
        ),
        (
            "President and CEO Martin Oduya said his team hasn’t seen the same strength in "
            "March, but nevertheless “a growth inflection in end-market demand is near.”",
            ["Martin Oduya"],
        ),
        (
            "Speaking in Boston, Governor Helen Marsh said she was confident inflation is easing. "
            "But she noted that there is a risk that inflation “may be getting stuck above” the "
            "2% target.",
            ["Helen Marsh"],
        ),
    ],
)
def test_a_partial_quotation_belongs_to_the_subject_of_the_verb_of_saying_before_it(
    text: str, expected: list[str]
) -> None:
    assert speakers(text) == expected


def test_a_quotation_opened_with_one_mark_and_closed_with_the_other() -> None:
    text = (
        "Dairy chairman Park Ji Hoon said the sale could still go ahead. "
        '“I am always striving to raise the value of the company. I hope the buyer stays with us," '
        "he said."
    )
    quotes = extract_quotes(text, segment(text))
    assert [(quote.text[:20], quote.speaker) for quote in quotes] == [
        ("I am always striving", "Park Ji Hoon")
    ]


def test_a_short_phrase_quoted_inside_reported_speech_is_the_speakers() -> None:
    text = (
        "Several officials signalled caution. Boston Fed President Ann Corrigan suggested that "
        "policy should remain “modestly restrictive,” while Chicago Fed President Tom Reyes wrote "
        "that “policy is in a good place.” Separately, Ruth Calder told Nikkei Asia that the "
        "company is “proceeding as scheduled” with its plan."
    )
    quotes = extract_quotes(text, segment(text))
    assert [(quote.text.strip(",."), quote.speaker) for quote in quotes] == [
        ("modestly restrictive", "Ann Corrigan"),
        ("policy is in a good place", "Tom Reyes"),
        ("proceeding as scheduled", "Ruth Calder"),
    ]


def test_a_phrase_named_or_promised_is_still_no_speech() -> None:
    text = 'Analysts called it the "soft landing," and the founder promised "amazing abundance."'
    assert extract_quotes(text, segment(text)) == []


def test_a_sentence_ending_in_a_verb_of_saying_introduces_the_next_quotation() -> None:
    text = (
        "그런데도 1972년 도현은 내게 조언했습니다. “이제부터는 싼 회사를 사지 말고 좋은 회사를 "
        "적당한 가격에 사게.” 낡은 습관을 버리기는 쉽지 않았습니다."
    )
    assert speakers(text) == ["도현"]


def test_a_subject_headed_by_a_common_noun_after_the_quotation_is_not_the_speaker() -> None:
    text = (
        "나지호 밸런스캐피탈 대표는 “올해 시장은 변동성이 클 것”이라고 말했다.\n"
        "향후 전망에 대해서는 “적어도 지금보다 두 배는 더 오를 것”이라며 연내 비트코인 가격이 "
        "크게 오를 것으로 내다봤다."
    )
    assert speakers(text) == ["나지호", "나지호"]


def test_the_market_quoted_as_one_voice_speaks() -> None:
    text = "시장에서는 “AI 연산 경쟁이 메모리 의존도를 높이고 있으며 그 중심에 국내 업체가 있다”는 평가가 나온다."
    assert speakers(text) == ["시장"]


def test_an_essay_on_an_author_quotes_the_author_where_a_sentence_names_nobody_else() -> None:
    text = (
        "The features common to these episodes are rarely analysed, according to the author of "
        "a short history of manias, Margaret Ellery Whitcombe. Her book from 1990 still helps. "
        'By paying attention to the signs, "there is a chance, a slim chance, that otherwise '
        'vulnerable investors will be warned."\n'
        "Whitcombe describes two of the oldest bubbles. Whitcombe is blunt about the leaders.\n"
        'I was reminded of this on reading Paul Kramer’s "How did economists get it so wrong?" '
        "in a newspaper."
    )
    assert speakers(text) == ["Margaret Ellery Whitcombe", None]


def test_a_month_is_nobody_an_essay_is_about() -> None:
    text = (
        "Every December I write predictions. Every December I grade them. Every December the "
        'misses sting. The model was "nice, but not a real breakthrough in any sense."'
    )
    assert speakers(text) == [None]


def test_a_line_ending_in_a_verb_of_saying_introduces_the_quotation_below_it() -> None:
    text = (
        "The best may be yet to come, some firms predict.\nBloomberg reports that\n"
        "“Brokerages have raised their year-end targets for the benchmark index.”"
    )
    assert speakers(text) == ["Bloomberg"]


def test_he_said_ending_the_line_above_goes_to_the_person_named_nearest() -> None:
    text = (
        "Bloomberg reports that\n“Brokerages have raised their year-end targets for the index.”\n"
        + "The crowd is confident the central bank will cut in September. " * 5
        + "\nFederal Reserve Chairman Warrick seems to be leaning in that direction. "
        "Yesterday he said:\n“We did gain some additional confidence in the second quarter.”"
    )
    assert speakers(text) == ["Bloomberg", "Warrick"]


def test_a_lede_quoting_an_unnamed_expert_is_his_once_the_next_paragraph_names_him() -> None:
    text = (
        '"올해 서너 배 더 오를 것"…목표가 제시\n\n'
        "지난해 “하반기부터 상승랠리가 시작될 것”이라고 예견했던 가상자산 전문가가 "
        "“비트코인 가격은 올해 안에 지금보다 서너 배 더 뛸 것”이라는 전망을 내놨다.\n\n"
        "외신에 따르면 거래소를 설립했던 에릭 리 한빛월렛 최고경영자(CEO)가 이 같이 전망했다.\n\n"
        "한 애널리스트는 “과열 신호도 보인다”고 말했다."
    )
    assert speakers(text) == ["에릭 리"] * 3 + ["한 애널리스트"]


def test_an_unnamed_title_is_kept_whole() -> None:
    text = "가상자산 전문가가 “비트코인 가격은 올해 안에 지금보다 서너 배 더 뛸 것”이라고 말했다."
    assert speakers(text) == ["가상자산 전문가"]


def test_a_headline_calling_a_body_speaker_by_surname_names_him() -> None:
    title = "'월가 황제' 다이먼 \"전쟁에서 지면 세계 경제에 재앙\""
    body = [Quote("연착륙을 할 수 있겠으나 부드럽지 않을 것", "제이미 다이먼", "", 0, 10)]
    assert [quote.speaker for quote in title_quotes(title, body)] == ["제이미 다이먼"]
    assert [quote.speaker for quote in title_quotes('전문가 "올해 네 배 뛴다"', body)] == [None]


def test_a_quotation_running_over_paragraphs_has_the_speaker_of_its_last_paragraph() -> None:
    text = (
        "“We expect margins to improve in the second half of the year and beyond.\n\n"
        "“Our backlog is the largest we have ever had,” said Maria Lopez, the chief executive."
    )
    assert speakers(text) == ["Maria Lopez", "Maria Lopez"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Toyota said on Friday it would cut output. “We expect margins to improve in the "
            "second half,” the company said in a statement.",
            ["Toyota"],
        ),
        (
            "Texas Instruments Inc. gave a weak forecast. “Demand from industrial customers is "
            "still soft,” said the company.",
            ["Texas Instruments"],
        ),
        # a person is not "the company"
        (
            "Maria Lopez runs the unit. “We expect margins to improve in the second half,” the "
            "company said.",
            [None],
        ),
    ],
)
def test_the_company_said_goes_to_the_organisation_named_before(
    text: str, expected: list[str | None]
) -> None:
    assert speakers(text) == expected


def test_a_heading_crediting_a_person_names_the_quotation_below_it() -> None:
    text = (
        "■ 외국계 코멘트 (Harbor Securities, Nora Whitfield 7/18 노트)\n\n"
        '"We think supply stays tight through 1H26, and pricing power persists through FY26."'
    )
    assert speakers(text) == ["Nora Whitfield"]
