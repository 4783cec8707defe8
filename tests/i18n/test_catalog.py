"""The message catalogs: every key in every language, the same placeholders, sensible lookups."""

from __future__ import annotations

import pytest

from digests.i18n import (
    LANGUAGES,
    Catalog,
    catalog,
    from_stored,
    in_language,
    language_for,
    message,
    messages,
    placeholders,
    to_stored,
)


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


def test_a_stored_message_comes_back_in_each_language() -> None:
    reason = message(
        "feed_error.disabled_after",
        hours=48,
        error=message(
            "error.input", subject="http://x", reason=message("fetch_error.tls", host="x")
        ),
    )
    stored = to_stored(reason)
    assert stored is not None and stored.startswith("i18n:") and "TLS error" in stored
    revived = from_stored(stored)
    assert (
        revived
        == reason
        == "disabled after failing for 48 hours: http://x: TLS error connecting to x"
    )
    assert (
        in_language(revived, "ko")
        == "48시간 동안 실패해 중지되었습니다: http://x: x에 연결하는 중 TLS 오류가 났습니다"
    )


def test_a_list_of_messages_is_written_and_stored_as_one() -> None:
    missing = message(
        "error.cannot_post",
        channel="#c",
        permissions=[message("permission.send_messages"), message("permission.embed_links")],
    )
    assert "Send Messages, Embed Links" in missing
    assert "메시지 보내기, 링크 첨부" in missing.in_language("ko")
    assert in_language(from_stored(to_stored(missing)), "ko") == missing.in_language("ko")


def test_plain_and_old_stored_text_reads_as_it_is() -> None:
    assert to_stored("gave up") == "gave up" and from_stored("gave up") == "gave up"
    assert to_stored(None) is None and from_stored(None) is None
    assert to_stored("x" * 10, limit=4) == "xxxx"
    # A key the catalog has dropped since: the English text kept with it.
    gone = 'i18n:{"key":"no.such.key","values":{},"text":"the old words"}'
    assert from_stored(gone) == "the old words"
    assert from_stored("i18n:not json") == "i18n:not json"


def test_a_message_too_long_to_store_whole_keeps_its_english_text() -> None:
    long = message("fetch_error.redirect_loop", url="http://x/" + "a" * 50)
    assert to_stored(long, limit=40) == str(long)[:40]
