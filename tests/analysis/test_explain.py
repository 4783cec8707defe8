"""`explain`: the per-sentence account of forecast decisions, in-process and through the CLI."""

from __future__ import annotations

from datetime import date

import pytest

from digests.analysis.explain import explain_analyses, sentence_summary
from digests.analysis.pipeline import Analyzer
from digests.cli import run
from digests.models import Post, SourceKind
from digests.settings import Settings

TEXT = (
    "■ 2026년 반도체 전망\n"
    "삼성전자는 2026년 HBM 매출이 두 배로 늘어날 것으로 전망했다.\n"
    "지난해 3분기 매출은 79조원을 기록했다.\n"
)


def test_explanation_names_roles_rules_steps_and_decisions() -> None:
    post = Post(
        guild_id=0,
        source="t",
        source_kind=SourceKind.TEXT,
        title="memo",
        text=TEXT,
        lang="ko",
        content_hash="x",
    )
    (analysis,) = Analyzer(forecast_model=None).analyze(
        [post], default_anchor=date(2025, 12, 3), trace=True
    )
    lines = explain_analyses([analysis])
    text = "\n".join(lines)
    assert "heading" in text or "bullet" in text
    assert "drop  section_heading" in text
    assert "→ TAKEN (rules alone: keep; by rules)" in text
    assert "drop  past_marker" in text
    assert "time «2026년» rule" in text
    assert lines[-1] == "→ 1 dated forecast(s) tracked"
    summary = sentence_summary(analysis.trace.sentences[2])
    assert "dropped" in summary and "2024-09-30" in summary


async def test_cli_explain_text(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code = await run(["explain", "--text", TEXT, "--published", "2025-12-03"], settings)
    out = capsys.readouterr().out
    assert code == 0
    assert "read as of 2025-12-03" in out
    assert "TAKEN" in out and "not taken" in out


async def test_cli_explain_needs_exactly_one_input(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run(["explain"], settings) == 2
    assert "give a FILE or --text" in capsys.readouterr().err
