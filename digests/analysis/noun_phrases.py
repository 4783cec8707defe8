"""English noun phrases for themes: a rule-based chunker over LemmInflect's word classes.

LemmInflect (MIT, ~1 MB, a pip package that ships its English lexicon: no download at run time)
tells which classes a word can take (NOUN, VERB, ADJ, ADV) and gives its lemma. A phrase is a run
of nouns, names and adjectives ending in a noun or a name, broken by punctuation, numbers,
function words and words that can only be verbs or adverbs ("going", "quite"). Names (capitalised
words inside a sentence, acronyms) join into one phrase, so "Wall Street" and "JPMorgan Chase"
stay whole and never yield "Wall", "Street" or "Chase".

Why not a statistical tagger: spaCy's English models are not published on PyPI, NLTK's tagger
and flair/stanza models download their data at run time, and the lexicon plus a few rules is
fast enough to keep the analysis within its throughput bound.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import NamedTuple

from lemminflect import getAllLemmas, getLemma


def _word_lists() -> dict[str, frozenset[str]]:
    """The sections of english_words.txt (function, vague, calendar, plural, verb_context)."""
    text = (resources.files("digests.analysis") / "resources" / "english_words.txt").read_text(
        "utf-8"
    )
    sections: dict[str, set[str]] = {}
    for line in text.splitlines():
        if line.startswith("#") or ":" not in line:
            continue
        name, words = line.split(":", 1)
        sections.setdefault(name.strip(), set()).update(words.split())
    return {name: frozenset(words) for name, words in sections.items()}


_LISTS = _word_lists()
# Function words and vague words that never start, end or sit inside a theme phrase.
_FUNCTION_WORDS = _LISTS["function"]
# Adjectives that qualify but do not classify: "strong demand" is about demand.
_VAGUE_ADJECTIVES = _LISTS["vague"]
_CALENDAR = _LISTS["calendar"]
# Plurals that name something other than their singular ("sales", "earnings", "futures").
_PLURAL_NOUNS = _LISTS["plural"]
# Words after which a noun-or-verb word is a verb ("to keep", "will rise", "they cut").
_VERB_CONTEXT = _LISTS["verb_context"]
_TOKEN = re.compile(r"\$?[A-Za-z][A-Za-z0-9&'’\-\.]*[A-Za-z0-9]|\$?[A-Za-z]|[^\sA-Za-z]")
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_CONTRACTION = re.compile(r"['’](?:d|ll|re|ve|m|t|s)$", re.IGNORECASE)
_ACRONYM = re.compile(r"\$?[A-Z][A-Z0-9&\-]*[A-Z0-9]s?")


class NounPhrase(NamedTuple):
    """A noun phrase of a sentence: its label (plural head singular, common words lower-case),
    its words as written and whether it names something (a name or an acronym in it)."""

    label: str
    surface: str
    proper: bool
    part: bool = False  # one noun of a longer common-noun phrase, given after that phrase
    split: bool = False  # a name or what about it, split from "Nvidia guidance" after it


@functools.lru_cache(maxsize=65536)
def _classes(word: str) -> frozenset[str]:
    return frozenset(getAllLemmas(word.lower()))


def is_english_word(word: str) -> bool:
    """Whether the English lexicon knows the word (in any word class)."""
    return bool(_classes(word.lower()))


def is_english_adjective(word: str) -> bool:
    """Whether a word is (also) an English adjective ("current", "high", "average")."""
    return word.isascii() and "ADJ" in _classes(word.lower())


@functools.lru_cache(maxsize=65536)
def _singular(word: str) -> str:
    lemmas = getLemma(word, "NOUN", lemmatize_oov=False)
    return lemmas[0] if lemmas else word


def _kind(
    word: str,
    sentence_initial: bool,
    all_caps_line: bool,
    previous: str,
    in_run: bool,
    after_name: bool = False,
) -> str | None:
    """'N' noun, 'P' name, 'A' adjective, or None for a word that breaks a phrase."""
    lower = word.lower().strip("$")
    if lower in _FUNCTION_WORDS or lower in _CALENDAR or len(lower) < 2:
        return None
    classes = _classes(lower)
    if "VERB" in classes and previous in _VERB_CONTEXT:
        return None  # "to keep", "will rise"
    if in_run and "VERB" in classes and _past_form(lower):
        return None  # "sales volume rose", "revenue topped"
    if after_name and "VERB" in classes and lower.endswith("s") and not word[:1].isupper():
        return None  # "Gamble reports", "Nvidia expects"
    if _ACRONYM.fullmatch(word) and not all_caps_line:
        if len(lower) >= 3 and classes and not classes <= {"NOUN"}:
            pass  # "BIG", "NEW" shouted in a headline: an ordinary word
        else:
            return "P"
    capitalised = word[:1].isupper()
    if (
        capitalised
        and classes == {"VERB"}
        and (lower.endswith("ing") or (lower.endswith("ed") and len(lower) >= 5))
        and _past_or_ing(lower)
    ):
        return None  # "Counting", "Watching" opening a heading: a verb, not a name ("Fed" is)
    if capitalised and not sentence_initial and not all_caps_line and "NOUN" not in classes:
        return "P"  # "Nvidia", "Waymo", "Lagarde"
    if capitalised and not sentence_initial and not all_caps_line and not classes <= {"NOUN"}:
        return "P"  # a capitalised word also known in lower case: a name here ("Chase", "Apple")
    if not classes:
        # Unknown to the lexicon: a name when capitalised, else a domain noun ("capex").
        return "P" if capitalised and not sentence_initial else "N"
    if "NOUN" in classes:
        if capitalised and not sentence_initial and not all_caps_line:
            return "P"
        return "N"
    if "ADJ" in classes and classes <= {"ADJ", "VERB"} and not lower.endswith("ing"):
        return "A"
    return None


@functools.lru_cache(maxsize=65536)
def _past_or_ing(lower: str) -> bool:
    """An inflected verb form ("counting", "paid"), not the verb's base form."""
    verbs = getAllLemmas(lower).get("VERB", ())
    return bool(verbs) and lower not in verbs and not lower.endswith("s")


@functools.lru_cache(maxsize=65536)
def _past_form(lower: str) -> bool:
    """A past tense or participle ("rose", "topped"), not a plural or the base form."""
    verbs = getAllLemmas(lower).get("VERB", ())
    return bool(verbs) and lower not in verbs and not lower.endswith("s")


def _clean(raw: str) -> str | None:
    word = raw.strip("'-’.")
    if not word:
        return None
    if _POSSESSIVE.search(word):
        return word[:-2]  # "Bitcoin's" → "Bitcoin"
    if _CONTRACTION.search(word):
        return None
    return word


def english_noun_phrases(text: str, max_words: int = 5) -> list[NounPhrase]:
    """The noun phrases of an English sentence (or title), in order."""
    text = _URL.sub(" , ", text)
    letters = [c for c in text if c.isalpha()]
    # A headline in capitals or Title Case says nothing about names: read words by the lexicon.
    capitals = sum(1 for c in letters if c.isupper())
    all_caps_line = bool(letters) and capitals > 0.6 * len(letters)
    words = _TOKEN.findall(text)
    title_case = len(words) >= 3 and sum(1 for w in words if w[:1].isupper()) > 0.7 * sum(
        1 for w in words if w[:1].isalpha()
    )
    phrases: list[NounPhrase] = []
    run: list[tuple[str, str]] = []  # (word, kind)

    def flush() -> None:
        while run and run[-1][1] == "A":
            run.pop()  # a phrase ends in a noun or a name
        while run and run[0][1] == "A" and run[0][0].lower() in _VAGUE_ADJECTIVES:
            run.pop(0)
        while len(run) > 1 and run[0][1] == "A" and run[1][1] == "P" and run[0][0].islower():
            run.pop(0)  # "successful UK", "mighty Nvidia": the name is the subject
        if run:
            kept = run[-min(max_words, 3) :] if len(run) > max_words else list(run)
            while kept and kept[0][1] == "A" and kept[0][0].lower() in _VAGUE_ADJECTIVES:
                kept = kept[1:]
            if kept:
                phrases.append(_phrase(kept))
                split = next(
                    (i for i in range(1, len(kept)) if kept[i - 1][1] == "P" and kept[i][1] != "P"),
                    None,
                )
                if len(kept) > 1 and all(kind == "N" for _, kind in kept):
                    # "battery maker", "battery demand": each noun counts towards its own theme.
                    phrases.extend(_phrase([part])._replace(part=True) for part in kept)
                if split is not None:
                    # "Nvidia guidance": the name and what about it are themes of their own.
                    phrases.append(_phrase(kept[:split])._replace(split=True))
                    phrases.append(_phrase(kept[split:])._replace(split=True))
        run.clear()

    sentence_initial = True
    previous = ""
    for index, raw in enumerate(words):
        word = _clean(raw) if raw[:1].isalpha() or raw.startswith("$") else None
        kind = (
            _kind(
                word,
                sentence_initial or title_case,
                all_caps_line,
                previous,
                bool(run),
                bool(run) and run[-1][0][:1].isupper(),
            )
            if word is not None
            else None
        )
        previous = word.lower() if word is not None else ""
        if word is not None and raw[-1:] == "." and not _ACRONYM.fullmatch(word):
            if kind is not None:
                run.append((word, kind))
            flush()
            sentence_initial = True
            continue
        if raw == "&" and run and run[-1][0][:1].isupper():
            run.append(("&", "P"))  # "Procter & Gamble", "S&P"
            continue
        if (
            raw == "of"
            and not title_case
            and run
            and run[-1][1] == "P"
            and index + 1 < len(words)
            and words[index + 1][:1].isupper()
        ):
            run.append(("of", "P"))  # "Bureau of Labor Statistics", "Bank of America"
            continue
        if kind is None:
            if run and run[-1][0] in {"&", "of"}:
                run.pop()
            flush()
            # Opening quotes, dashes and colons start a new clause whose first word is capitalised.
            sentence_initial = raw in {":", "—", "–", '"', "“", "‘", "(", "[", "|", "•", "-", "*"}
            continue
        run.append((word, kind))
        sentence_initial = False
    flush()
    return phrases


def _phrase(run: list[tuple[str, str]]) -> NounPhrase:
    proper = any(kind == "P" for _, kind in run)
    words = []
    for index, (word, kind) in enumerate(run):
        if kind != "P" and word[:1].isupper() and index + 1 < len(run) and run[index + 1][1] == "P":
            kind = "P"  # "Wall Street" opening a sentence
        if kind == "P":
            words.append(word.lstrip("$") if word.startswith("$") and len(word) > 2 else word)
            continue
        lower = word.lower()
        last = index == len(run) - 1
        if not _classes(lower):
            # Unknown to the lexicon ("Waymo" opening a sentence, "robotaxis"): as written.
            if last and re.fullmatch(r"[a-z]{4,}[^su]s", word):
                word = word[:-1]
            words.append(word)
            continue
        if last and kind == "N" and lower not in _PLURAL_NOUNS:
            lower = _singular(lower)
        words.append(lower)
    return NounPhrase(" ".join(words), " ".join(word for word, _ in run), proper)
