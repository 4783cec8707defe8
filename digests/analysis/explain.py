"""`explain`: why each sentence of a post was (not) taken as a dated forecast.

Per sentence with a date or future wording: its role (heading, bullet, table row, body, quote),
its time expressions with the rules that found them and their windows, every decision step's
verdict and reason, the model's score and the final decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from digests.analysis.decision import CandidateTrace, SentenceTrace, default_model
from digests.analysis.pipeline import PostAnalysis
from digests.analysis.timex import find_time_expressions

_ROLE_NAMES = {"prose": "body", "bullet": "bullet", "table": "table row", "heading": "heading"}


@dataclass(frozen=True)
class SentenceExplanation:
    """The printable account of one sentence."""

    index: int
    lines: list[str]


def _window(candidate: CandidateTrace) -> str:
    if candidate.due_end is None:
        return "no window"
    if candidate.due_start is None or candidate.due_start == candidate.due_end:
        return candidate.due_end.isoformat()
    return f"{candidate.due_start.isoformat()} … {candidate.due_end.isoformat()}"


def candidate_lines(candidate: CandidateTrace, indent: str = "    ") -> list[str]:
    """A candidate's window, steps, score and decision as printable lines."""
    rule = f" [{candidate.rule}]" if candidate.rule else ""
    lines = [
        f"{indent}candidate «{candidate.text}»{rule} → {_window(candidate)}"
        f" ({candidate.granularity or '-'}, {candidate.relation}, {candidate.status})"
    ]
    for step in candidate.steps:
        lines.append(f"{indent}  {step.verdict:5s} {step.name}: {step.reason}")
    model = default_model()
    if candidate.score is not None and model is not None:
        moved = ", ".join(
            f"{name} {weight:+.2f}" for name, weight in model.contributions(candidate.features, 4)
        )
        lines.append(
            f"{indent}  model {candidate.score:.2f} (threshold {model.threshold:.2f}; {moved})"
        )
    verdict = "TAKEN" if candidate.taken else "not taken"
    rules = "keep" if candidate.rules_keep else "drop"
    after = f"; then {candidate.after}" if candidate.after else ""
    lines.append(f"{indent}  → {verdict} (rules alone: {rules}; by {candidate.decided_by}){after}")
    return lines


def sentence_summary(record: SentenceTrace) -> str:
    """One line: why a sentence gave no forecast, or which candidates were taken."""
    dropped = [step for step in record.steps if step.verdict == "drop"]
    parts = [f"{step.name} ({step.reason})" for step in dropped]
    for candidate in record.candidates:
        last = next((s for s in reversed(candidate.steps) if s.verdict == "drop"), None)
        score = f" p={candidate.score:.2f}" if candidate.score is not None else ""
        state = "taken" if candidate.taken else f"dropped: {last.reason if last else 'model'}"
        after = f", {candidate.after}" if candidate.after else ""
        parts.append(f"«{candidate.text}»→{_window(candidate)} {state}{score}{after}")
    return "; ".join(parts) if parts else "no dated candidate"


def explain_analysis(analysis: PostAnalysis, every_sentence: bool = False) -> list[str]:
    """The explanation of one analysed post (analysed with `trace=True`)."""
    trace = analysis.trace
    header = (
        f"post «{analysis.post.title or '(untitled)'}» read as of {analysis.anchor.isoformat()}"
    )
    lines = [header]
    for sentence in analysis.sentences:
        record = trace.sentences.get(sentence.index) if trace else None
        if record is None and not every_sentence:
            continue
        role = record.role if record else sentence.kind
        lines.append(
            f"[{sentence.index}] {_ROLE_NAMES.get(role, role)} ({sentence.lang}): {sentence.text}"
        )
        for expression in find_time_expressions(sentence.text, analysis.anchor):
            rule = getattr(expression, "rule", "") or "?"
            lines.append(
                f"    time «{expression.text}» rule {rule}: {expression.due_start} … "
                f"{expression.due_end} ({expression.granularity}, {expression.relation})"
            )
        if record is None:
            lines.append("    nothing to decide: no date and no future wording")
            continue
        for step in record.steps:
            lines.append(f"    {step.verdict:5s} {step.name}: {step.reason}")
        for candidate in record.candidates:
            lines.extend(candidate_lines(candidate))
        if not record.candidates and not any(step.verdict == "drop" for step in record.steps):
            lines.append("    no dated candidate")
    taken = [f for f in analysis.forecasts if f.due_end is not None]
    lines.append(f"→ {len(taken)} dated forecast(s) tracked")
    return lines


def explain_analyses(analyses: Sequence[PostAnalysis], every_sentence: bool = False) -> list[str]:
    """The explanation of several posts, separated by blank lines."""
    lines: list[str] = []
    for analysis in analyses:
        if lines:
            lines.append("")
        lines.extend(explain_analysis(analysis, every_sentence))
    return lines
