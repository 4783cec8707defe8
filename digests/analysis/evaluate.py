"""Scoring the pipeline against a labelled set in the format of `shared/gold/` (see its README).

A predicted item matches a gold prediction when the gold anchor (or its `same_as` statement)
occurs in the item's sentence, whitespace-normalised, or when the two share a long common run
of text. A required gold prediction is found when a matching item's due date lies in its
accepted `due_end` range. Precision counts every dated item emitted except those matching an
optional gold item; an item is correct when it is the first to find its required gold item.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path
from zoneinfo import ZoneInfo

from digests.analysis.explain import sentence_summary
from digests.analysis.forecasts import Forecast
from digests.analysis.pipeline import Analyzer, PostAnalysis
from digests.analysis.themes import aggregate_themes
from digests.errors import InputError
from digests.ingest.documents import build_posts
from digests.ingest.loaders import load_file

_SPACE = re.compile(r"\s+")
_LONG_RUN = 24


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _matches(anchor: str, sentence: str) -> bool:
    anchor_n, sentence_n = _norm(anchor), _norm(sentence)
    if anchor_n in sentence_n:
        return True
    if len(anchor_n) < _LONG_RUN:
        return False
    match = SequenceMatcher(None, anchor_n, sentence_n, autojunk=False).find_longest_match(
        0, len(anchor_n), 0, len(sentence_n)
    )
    # A long run is most of the anchor, not a shared phrase such as "operating margin".
    return match.size >= max(_LONG_RUN, int(0.6 * len(anchor_n)))


def _speaker_ok(found: str | None, accepted: list[str]) -> bool:
    """Whether a found speaker names one of the accepted names: it contains one ("김민재
    연구원" for "김민재"), or is the start of one, whole words and not a fragment ("Samsung
    Electronics" for "Samsung Electronics CEO"; never "Electronics", "한" or "박")."""
    if not found:
        return False
    found_n = _norm(found).casefold()
    for name in accepted:
        name_n = _norm(name).casefold() if name else ""
        if not name_n:
            continue
        if name_n in found_n:
            return True
        if name_n.startswith(found_n) and _whole_start(found_n, name_n):
            return True
    return False


def _whole_start(found: str, name: str) -> bool:
    """`found` is the name's first word(s), long enough to name someone."""
    if len(found) < len(name) and name[len(found)] not in " ,·(":
        return False
    hangul = sum("가" <= ch <= "힣" for ch in found)
    return hangul >= 2 or (hangul == 0 and len(found.replace(" ", "")) >= 3)


@dataclass
class DocumentScore:
    """Scores for one labelled document."""

    file: str
    posts_expected: int
    posts_found: int
    post_metadata_errors: list[str] = field(default_factory=list)
    required: int = 0
    found_required: int = 0
    emitted: int = 0
    counted: int = 0
    correct: int = 0
    not_prediction_hits: list[str] = field(default_factory=list)
    quotes: int = 0
    quote_speakers: int = 0
    themes: int = 0
    theme_hits: int = 0
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    quote_errors: list[str] = field(default_factory=list)


@dataclass
class EvaluationReport:
    """Totals over a labelled set, with the per-document detail."""

    documents: list[DocumentScore]

    def total(self, name: str) -> int:
        """Sum of one counter over documents."""
        return sum(getattr(document, name) for document in self.documents)

    @property
    def recall(self) -> float:
        """Required dated forecasts found with the right due window."""
        required = self.total("required")
        return self.total("found_required") / required if required else 1.0

    @property
    def precision(self) -> float:
        """Correct dated items over dated items emitted (matched optional items excluded)."""
        counted = self.total("counted")
        return self.total("correct") / counted if counted else 1.0

    @property
    def not_predictions_emitted(self) -> int:
        """Dated items emitted for sentences labelled as not forecasts."""
        return sum(len(document.not_prediction_hits) for document in self.documents)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready summary."""
        return {
            "documents": len(self.documents),
            "posts_expected": self.total("posts_expected"),
            "posts_found": self.total("posts_found"),
            "post_metadata_errors": sum(len(d.post_metadata_errors) for d in self.documents),
            "required_predictions": self.total("required"),
            "found_with_right_date": self.total("found_required"),
            "recall": round(self.recall, 3),
            "dated_items_emitted": self.total("emitted"),
            "dated_items_counted": self.total("counted"),
            "correct": self.total("correct"),
            "precision": round(self.precision, 3),
            "not_predictions_emitted": self.not_predictions_emitted,
            "quotes": self.total("quotes"),
            "quote_speakers_correct": self.total("quote_speakers"),
            "themes": self.total("themes"),
            "theme_hits": self.total("theme_hits"),
        }


def _why_taken(analysis: PostAnalysis, item: Forecast) -> str:
    """The reason a false forecast was taken, from the analysis' trace (empty without one)."""
    record = analysis.trace.sentences.get(item.sentence_index) if analysis.trace else None
    if record is None:
        return ""
    for candidate in record.candidates:
        if candidate.taken and candidate.text == (item.timex or ""):
            keep = next((s for s in reversed(candidate.steps) if s.verdict == "keep"), None)
            score = f", p={candidate.score:.2f}" if candidate.score is not None else ""
            return f" — taken: {record.role}, {keep.reason if keep else 'model'}{score}"
    return ""


def _why_missed(analyses: list[PostAnalysis], anchor: str) -> str:
    """Why no forecast with the right date came from the sentence holding a gold anchor."""
    for analysis in analyses:
        for sentence in analysis.sentences:
            if not _matches(anchor, sentence.text):
                continue
            if analysis.trace is None:
                return ""
            record = analysis.trace.sentences.get(sentence.index)
            if record is None:
                return f" — [{sentence.kind}] no date and no future wording found"
            return f" — [{record.role}] {sentence_summary(record)}"
    return " — the anchor is in no single sentence (split differently)" if analyses else ""


def _score_document(entry: dict, analyses: list[PostAnalysis], analyzer: Analyzer) -> DocumentScore:
    gold_posts = entry.get("posts", [])
    score = DocumentScore(entry["file"], len(gold_posts), len(analyses))
    for index, (gold, analysis) in enumerate(zip(gold_posts, analyses, strict=False)):
        post = analysis.post
        if gold.get("author") and (post.author or "") != gold["author"]:
            score.post_metadata_errors.append(
                f"post {index}: author {post.author!r} != {gold['author']!r}"
            )
        if (
            post.published
            and gold.get("published")
            and post.published.date().isoformat() != gold["published"]
        ):
            score.post_metadata_errors.append(
                f"post {index}: published {post.published.date()} != {gold['published']}"
            )
    gold_predictions = entry.get("predictions", [])
    score.required = sum(1 for gold in gold_predictions if gold.get("required", True))
    credited: set[int] = set()
    for post_index, analysis in enumerate(analyses):
        for item in analysis.forecasts:
            if item.due_end is None:
                continue
            score.emitted += 1
            candidates = [
                (number, gold)
                for number, gold in enumerate(gold_predictions)
                if gold.get("post_index", post_index) == post_index
                and (
                    _matches(gold["anchor"], item.text)
                    or (gold.get("same_as") and _matches(gold["same_as"], item.text))
                )
            ]
            for anchor in entry.get("not_predictions", []):
                if _matches(anchor, item.text):
                    score.not_prediction_hits.append(f"{anchor} -> {item.timex} {item.due_end}")
            if not candidates:
                score.counted += 1
                score.false_positives.append(
                    f"[{item.timex} -> {item.due_end}] {_norm(item.text)[:120]}"
                    + _why_taken(analysis, item)
                )
                continue
            in_window = [
                (number, gold)
                for number, gold in candidates
                if date.fromisoformat(gold["due_end"][0])
                <= item.due_end
                <= date.fromisoformat(gold["due_end"][1])
            ]
            # A sentence can hold several labelled claims: credit the one this item fits best
            # (a required claim not yet found, then any in-window claim, then any match).
            in_window.sort(
                key=lambda pair: (not pair[1].get("required", True) or pair[0] in credited, pair[0])
            )
            chosen_number, chosen = (in_window or candidates)[0]
            if not chosen.get("required", True):
                continue
            score.counted += 1
            if in_window and chosen_number not in credited:
                credited.add(chosen_number)
                score.correct += 1
            else:
                reason = (
                    "duplicate"
                    if in_window
                    else f"wrong date {item.due_end} not in {chosen['due_end']}"
                )
                score.false_positives.append(
                    f"[{item.timex} -> {item.due_end}] {reason}: {_norm(item.text)[:100]}"
                    + _why_taken(analysis, item)
                )
    score.found_required = len(credited)
    for number, gold in enumerate(gold_predictions):
        if gold.get("required", True) and number not in credited:
            score.misses.append(
                f"{gold['anchor']} (due {gold['due_end']})" + _why_missed(analyses, gold["anchor"])
            )
    all_quotes = [quote for analysis in analyses for quote in analysis.quotes]
    for gold in entry.get("quotes", []):
        score.quotes += 1
        found = next(
            (
                q
                for q in all_quotes
                if _norm(gold["anchor"]) in _norm(q.text)
                or (len(q.text) > 10 and _norm(q.text) in _norm(gold["anchor"]))
            ),
            None,
        )
        if found is not None and _speaker_ok(found.speaker, gold["speaker"]):
            score.quote_speakers += 1
        else:
            score.quote_errors.append(
                f"{gold['anchor'][:40]}: got {found.speaker if found else 'no quote'!r}"
            )
    top = [label for label, _ in aggregate_themes([analysis.themes for analysis in analyses], 10)]
    for theme in entry.get("themes", []):
        score.themes += 1
        if any(
            analyzer.aliases.same(theme, label)
            or theme.casefold() in label.casefold().split()
            or theme.casefold() == label.casefold()
            for label in top
        ):
            score.theme_hits += 1
    return score


def evaluate(
    gold_file: Path, docs_dir: Path, analyzer: Analyzer, zone: ZoneInfo, *, explain: bool = False
) -> EvaluationReport:
    """Analyse every labelled document exactly as `analyze` does and score it; with `explain`,
    every miss and false forecast carries the reason from the decision trace."""
    try:
        gold = json.loads(gold_file.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(str(gold_file), f"cannot read the labels: {error}") from error
    documents = []
    for entry in gold.get("documents", []):
        path = docs_dir / entry["file"]
        if not path.exists():
            raise InputError(str(path), "labelled document not found in --docs")
        first_published = entry.get("posts", [{}])[0].get("published")
        fallback = date.fromisoformat(first_published) if first_published else date.today()
        from datetime import datetime, time

        posts = build_posts(
            load_file(path, zone, 5_000_000),
            0,
            zone,
            datetime.combine(fallback, time(0), tzinfo=zone),
        )
        analyses = analyzer.analyze(posts, default_anchor=fallback, trace=explain)
        documents.append(_score_document(entry, analyses, analyzer))
    return EvaluationReport(documents)
