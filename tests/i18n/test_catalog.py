"""The message catalogs: every key in every language, the same placeholders, sensible lookups."""

from __future__ import annotations

import pytest

from digests.i18n import LANGUAGES, Catalog, catalog, language_for, messages, placeholders


def test_every_key_exists_in_every_language() -> None:
    english = set(messages("en"))
    for language in LANGUAGES:
        keys = set(messages(language))
        assert not english - keys, f"{language} lacks {sorted(english - keys)}"
        assert not keys - english, f"{language} has keys English lacks: {sorted(keys - english)}"


def test_placeholders_match_across_languages() -> None:
    english = messages("en")
    mismatched = {
        (language, key)
        for language in LANGUAGES
        for key, template in messages(language).items()
        if placeholders(template) != placeholders(english[key])
    }
    assert not mismatched


def test_every_message_is_non_empty_text() -> None:
    for language in LANGUAGES:
        blank = [key for key, value in messages(language).items() if not value.strip()]
        assert not blank, f"{language}: {blank}"


def test_korean_catalog_is_korean() -> None:
    # A copied English line in ko.toml would pass the key check: most entries must have Hangul.
    korean = messages("ko")
    hangul = [key for key, value in korean.items() if any("가" <= ch <= "힣" for ch in value)]
    assert len(hangul) / len(korean) > 0.9


def test_placeholders_are_field_names() -> None:
    assert placeholders("Brier {value:.2f} of {count} {count}") == {"value", "count"}
    assert placeholders("no fields") == set()


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("ko", "ko"), ("ko-KR", "ko"), ("en-US", "en"), ("fr", "en"), (None, "en"), ("", "en")],
)
def test_language_for_locale(locale: str | None, expected: str) -> None:
    assert language_for(locale) == expected


def test_discord_locale_enum_maps_by_value() -> None:
    from discord import Locale

    assert language_for(Locale.korean) == "ko"
    assert language_for(Locale.american_english) == "en"


def test_lookup_formats_and_plurals() -> None:
    english, korean = catalog("en"), catalog("ko")
    assert english("delivery.reminder_title", id=7) == "Forecast due: #7"
    assert korean("delivery.reminder_title", id=7) == "기한이 된 예측: #7"
    assert english.plural(1, "digest.unit.day") == "1 day"
    assert english.plural(3, "digest.unit.day") == "3 days"
    assert korean.plural(3, "digest.unit.day") == "3일"


def test_unknown_language_reads_english_and_unknown_key_is_a_bug() -> None:
    assert catalog("fr")("digest.title") == "Digest"
    with pytest.raises(KeyError):
        catalog("ko")("no.such.key")
    assert catalog("ko").get("no.such.key", "fallback") == "fallback"
    with pytest.raises(ValueError, match="no message catalog"):
        messages("de")


def test_catalog_is_loaded_once() -> None:
    assert catalog("ko") is catalog("ko")
    assert isinstance(catalog("ko"), Catalog)
