"""English noun phrases for themes (digests/analysis/noun_phrases.py)."""

from digests.analysis.noun_phrases import english_noun_phrases


def labels(text: str) -> list[str]:
    return [phrase.label for phrase in english_noun_phrases(text)]


def test_names_stay_whole_and_never_yield_their_parts() -> None:
    found = labels("Analysts on Wall Street expect JPMorgan Chase to keep its dividend.")
    assert "Wall Street" in found and "JPMorgan Chase" in found
    assert not {"Wall", "Street", "Chase", "Analysts"} & set(found)


def test_function_words_verbs_and_adverbs_are_never_phrases() -> None:
    found = labels("Given the going rate, it is quite stuff amid rising rates; shares will rise.")
    assert not {"Given", "given", "going", "quite", "stuff", "Amid", "amid", "rise"} & set(found)
    assert "rate" in found


def test_plural_heads_become_singular_but_plural_only_nouns_stay() -> None:
    found = labels("The robotaxi deliveries and data centers lifted earnings and sales.")
    assert "robotaxi delivery" in found and "data center" in found
    assert "earnings" in found and "sales" in found


def test_a_title_case_headline_is_read_by_the_lexicon() -> None:
    found = labels("Monday Alert: 3 BIG Predictions for 2026")
    assert "prediction" in found
    assert "BIG prediction" not in found and "Alert BIG" not in found


def test_an_ampersand_joins_a_name_and_urls_are_not_phrases() -> None:
    found = labels("Procter & Gamble reports on Tuesday, see https://example.com/pg-results")
    assert "Procter & Gamble" in found
    assert not any("example" in label or "http" in label for label in found)


def test_a_past_tense_verb_ends_the_phrase() -> None:
    found = labels("Commercial real estate sales volume rose in the quarter.")
    assert found[0] == "commercial real estate sales volume"
    assert not any("rose" in label for label in found)


def test_each_noun_of_a_common_noun_phrase_counts_on_its_own() -> None:
    assert {"battery", "demand"} <= set(labels("Battery demand rises in Europe."))


def test_vague_adjectives_are_dropped_classifying_ones_kept() -> None:
    found = labels("Strong demand for electric vehicles and nuclear power")
    assert "demand" in found and "electric vehicle" in found and "nuclear power" in found


def test_possessives_join_their_owner() -> None:
    assert "Nvidia data-center revenue" in labels("Nvidia's data-center revenue topped $46B.")


def test_a_name_before_common_nouns_is_also_a_phrase_of_its_own() -> None:
    found = labels("Analysts liked the Nvidia guidance for the quarter.")
    assert {"Nvidia guidance", "Nvidia", "guidance"} <= set(found)


def test_of_joins_a_name_and_an_adjective_before_a_name_is_dropped() -> None:
    found = labels(
        "The Bureau of Labor Statistics releases data, and the successful UK economy grew."
    )
    assert "Bureau of Labor Statistics" in found and "UK" in found
    assert not {"Bureau", "Labor Statistics", "successful UK"} & set(found)


def test_an_inflected_verb_opening_a_heading_is_no_name() -> None:
    found = labels("Watching the Fed: rates, Counting Down to the meeting and Listed stocks")
    words = {word for label in found for word in label.split()}
    assert not {"Watching", "Counting", "Listed"} & words and "Fed" in words
