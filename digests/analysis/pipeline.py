"""The one analysis pipeline: used by ingestion (results stored) and by `analyze` (printed)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

from digests.analysis.decision import ForecastModel, PostTrace
from digests.analysis.forecasts import Forecast, extract_forecasts
from digests.analysis.models import (
    AnalysisReport,
    PostAnalysisResult,
    PredictionResult,
    QuoteResult,
    ThemeResult,
)
from digests.analysis.quotes import Quote, extract_quotes, headline_speaker, title_quotes
from digests.analysis.sentences import Sentence, segment_posts
from digests.analysis.summary import candidates_from, content_words, summarize
from digests.analysis.themes import AliasBook, ThemeCandidate, post_candidates, score_themes
from digests.errors import InputError
from digests.models import Post

log = logging.getLogger(__name__)

MAX_LINE_CHARS = 20_000
# The analysis reads at most this much of a post (about a hundred pages; the longest labelled
# post has 21,000 characters). A longer post is stored whole, but its forecasts, quotes, themes
# and summary come from this much of it, so a document at the size limit costs about what a
# post of this length does, in time and in memory.
MAX_ANALYSED_CHARS = 200_000
_CHUNK = 32  # posts per Kiwi batch; small enough to overlap, large enough to batch well


def analysed_part(text: str, limit: int | None = None) -> str:
    """The part of a post the analysis reads: all of it up to `limit` characters (default
    MAX_ANALYSED_CHARS), otherwise up to the last line break (else space) before the limit."""
    limit = MAX_ANALYSED_CHARS if limit is None else limit
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    if cut < limit // 2:
        cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit]


def _segment(posts: Sequence[Post]) -> tuple[list[str], list[list[Sentence]], list[list[Sentence]]]:
    """Texts, body sentences and title sentences of posts (one Kiwi batch)."""
    texts = [_split_long_lines(analysed_part(post.text)) for post in posts]
    segmented = segment_posts(texts + [post.title for post in posts])
    return texts, segmented[: len(posts)], segmented[len(posts) :]


@dataclass
class PostAnalysis:
    """Everything found in one post, with the sentences it points back to."""

    post: Post
    anchor: date
    sentences: list[Sentence]
    summary: list[str]
    candidates: list[ThemeCandidate]
    themes: list[tuple[str, float]]
    quotes: list[Quote]
    forecasts: list[Forecast]
    trace: PostTrace | None = None  # every forecast decision, when asked for (explain, evaluate -v)
    analysed_chars: int | None = None  # set when only the post's first characters were read

    @property
    def truncated(self) -> bool:
        """True when the post was longer than the analysis reads (MAX_ANALYSED_CHARS)."""
        return self.analysed_chars is not None

    def result(self) -> PostAnalysisResult:
        """The JSON-contract view of this analysis."""
        return PostAnalysisResult(
            title=self.post.title,
            author=self.post.author,
            published=self.post.published.date().isoformat() if self.post.published else None,
            lang=self.post.lang,
            summary=self.summary,
            themes=[
                ThemeResult(label=theme[0], score=theme[1], variants=getattr(theme, "variants", []))
                for theme in self.themes
            ],
            quotes=[
                QuoteResult(text=q.text, speaker=q.speaker, sentence=q.sentence)
                for q in self.quotes
            ],
            predictions=[
                PredictionResult(
                    text=f.text,
                    claim=f.claim,
                    speaker=f.speaker,
                    timex=f.timex,
                    due_start=f.due_start,
                    due_end=f.due_end,
                    granularity=f.granularity,
                    kind=f.kind,
                    hedge=f.hedge,
                    confidence=f.confidence,
                )
                for f in self.forecasts
            ],
        )


def _check_text(post: Post) -> None:
    longest = max((len(line) for line in post.text.split("\n")), default=0)
    if longest > MAX_LINE_CHARS and not any(mark in post.text for mark in ".!?。다"):
        raise InputError(
            post.source,
            f"a {longest:,}-character line with no sentence punctuation cannot be analysed",
        )


def _split_long_lines(text: str) -> str:
    """Break pathological lines (no punctuation for tens of thousands of characters) at spaces."""
    lines = []
    for line in text.split("\n"):
        while len(line) > MAX_LINE_CHARS:
            cut = line.rfind(" ", 0, MAX_LINE_CHARS)
            cut = cut if cut > MAX_LINE_CHARS // 2 else MAX_LINE_CHARS
            lines.append(line[:cut])
            line = line[cut:].lstrip()
        lines.append(line)
    return "\n".join(lines)


class Analyzer:
    """Sentences, themes, summaries, quotes and forecasts for posts, Kiwi batched across them."""

    def __init__(
        self,
        aliases: AliasBook | None = None,
        summary_size: int = 3,
        forecast_model: ForecastModel | bool | None = True,
    ) -> None:
        """`forecast_model`: True for the committed model, None for the rules alone, or a
        given model (training and cross-validation)."""
        self.aliases = aliases or AliasBook.load()
        self.summary_size = summary_size
        self.forecast_model = forecast_model

    def analyze(
        self,
        posts: Sequence[Post],
        *,
        default_anchor: date,
        corpus: tuple[int, dict[str, int]] | None = None,
        trace: bool = False,
    ) -> list[PostAnalysis]:
        """Analyse posts; a post without a published date is dated `default_anchor`.

        `corpus` is (number of posts, document frequency per theme label) of the guild's
        stored posts; without it the posts analysed together form the corpus. With `trace`,
        each analysis keeps the trace of its forecast decisions.
        """
        if not posts:
            return []
        for post in posts:
            _check_text(post)
        chunks = [list(posts[index : index + _CHUNK]) for index in range(0, len(posts), _CHUNK)]
        partial: list[PostAnalysis] = []
        # Kiwi runs in native threads without the GIL: segment the next chunk in the background
        # while this thread does the rule work on the current one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(_segment, chunks[0])
            for index, chunk in enumerate(chunks):
                texts, bodies, titles = pending.result()
                if index + 1 < len(chunks):
                    pending = pool.submit(_segment, chunks[index + 1])
                partial.extend(self._rules(chunk, texts, bodies, titles, default_anchor, trace))
        if corpus is None:
            frequencies: Counter[str] = Counter()
            for analysis in partial:
                frequencies.update({c.label for c in analysis.candidates if c.count})
            corpus = (len(posts), dict(frequencies))
        size, frequency = corpus
        for analysis in partial:
            analysis.themes = score_themes(analysis.candidates, size, frequency)
        return partial

    def _rules(
        self,
        posts: Sequence[Post],
        texts: Sequence[str],
        bodies: Sequence[list[Sentence]],
        titles: Sequence[list[Sentence]],
        default_anchor: date,
        trace: bool = False,
    ) -> list[PostAnalysis]:
        analyses = []
        for post, text, sentences, title_sentences in zip(
            posts, texts, bodies, titles, strict=True
        ):
            anchor = post.published.date() if post.published else default_anchor
            analysed_chars = None
            if len(post.text) > MAX_ANALYSED_CHARS:
                analysed_chars = len(analysed_part(post.text))
                log.warning(
                    "post %r has %d characters: analysed the first %d",
                    post.title[:80],
                    len(post.text),
                    analysed_chars,
                )
            body_quotes = extract_quotes(text, sentences, headline_speaker(post.title))
            post_trace = PostTrace(anchor) if trace else None
            forecasts = extract_forecasts(
                sentences,
                anchor,
                title=post.title,
                quotes=body_quotes,
                trace=post_trace,
                model=self.forecast_model,
            )
            title_words = frozenset(w for s in title_sentences for w in content_words(s))
            analyses.append(
                PostAnalysis(
                    post=post,
                    anchor=anchor,
                    sentences=sentences,
                    summary=summarize(
                        candidates_from(
                            sentences,
                            {f.sentence_index for f in forecasts},
                            title_words,
                            post.title,
                        ),
                        self.summary_size,
                    ),
                    candidates=post_candidates(
                        post.title, sentences, text, self.aliases, title_sentences
                    ),
                    themes=[],
                    quotes=title_quotes(post.title, body_quotes) + body_quotes,
                    forecasts=forecasts,
                    trace=post_trace,
                    analysed_chars=analysed_chars,
                )
            )
        return analyses

    def forecasts_as_of(self, analysis: PostAnalysis, anchor: date) -> list[Forecast]:
        """The post's forecasts as if it had been written on `anchor`, from the sentences
        already segmented (no Kiwi work): comparing two anchors shows which windows are
        counted from the post's date."""
        text = _split_long_lines(analysis.post.text)
        quotes = extract_quotes(text, analysis.sentences, headline_speaker(analysis.post.title))
        return extract_forecasts(
            analysis.sentences, anchor, title=analysis.post.title, quotes=quotes
        )

    @staticmethod
    def report(analyses: Sequence[PostAnalysis]) -> AnalysisReport:
        """The `analyze --json` object for a list of analyses."""
        return AnalysisReport(posts=[analysis.result() for analysis in analyses])


def anchor_for(published: datetime | None, fallback: date) -> date:
    """The date relative expressions in a post are resolved against."""
    return published.date() if published else fallback
