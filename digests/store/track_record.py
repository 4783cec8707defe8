"""The track record: resolved forecasts scored by source, author or speaker."""

from __future__ import annotations

from dataclasses import dataclass

from digests.store.database import Database


@dataclass(frozen=True)
class TrackRecordRow:
    """Resolved forecasts of one source, author or speaker."""

    key: str
    resolved: int
    correct: int
    partly: int
    wrong: int
    brier: float | None
    with_probability: int

    @property
    def share_correct(self) -> float | None:
        """Correct share among judged forecasts (partly counts half)."""
        judged = self.correct + self.partly + self.wrong
        return (self.correct + 0.5 * self.partly) / judged if judged else None


_SCORE_KEYS = {
    # post_source: the forecast's post's source, kept on the forecast (migration 0018).
    "source": "COALESCE(f.post_source, f.source_url, 'manual')",
    "author": "COALESCE(f.author, 'unknown author')",
    "speaker": "COALESCE(f.speaker, f.author, 'the author')",
}


class TrackRecordRepository:
    """SQL for the track record (read-only over `forecasts`)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def verdict_marker(self, guild_id: int) -> tuple[int, int | None]:
        """How many verdicts a guild has and when the latest was given: it changes whenever a
        verdict is given, changed or undone, so a track record computed for it stays valid."""
        # resolved_ts is set exactly while a verdict stands, so forecasts_guild_resolved
        # answers this from the index alone.
        row = await self._db.fetch_one(
            "SELECT COUNT(resolved_ts) AS n, MAX(resolved_ts) AS latest FROM forecasts"
            " WHERE guild_id = ? AND resolved_ts IS NOT NULL",
            (guild_id,),
        )
        return (int(row["n"]), row["latest"]) if row else (0, None)

    async def rows(self, guild_id: int, by: str, limit: int = 20) -> list[TrackRecordRow]:
        """Resolved forecasts grouped by source, author or speaker, with Brier scores."""
        key = _SCORE_KEYS[by]
        # Resolved forecasts are read from forecasts_guild_track_record alone (it holds each
        # forecast's post source too: no join with the posts).
        rows = await self._db.fetch_all(
            f"SELECT {key} AS k, COUNT(*) AS resolved,"
            " SUM(CASE WHEN f.outcome = 'correct' THEN 1 END) AS correct,"
            " SUM(CASE WHEN f.outcome = 'partly' THEN 1 END) AS partly,"
            " SUM(CASE WHEN f.outcome = 'wrong' THEN 1 END) AS wrong,"
            " AVG(CASE WHEN f.probability IS NOT NULL AND f.outcome IN ('correct', 'wrong', 'partly') THEN"
            "   (f.probability - CASE f.outcome WHEN 'correct' THEN 1.0 WHEN 'partly' THEN 0.5 ELSE 0.0 END)"
            "   * (f.probability - CASE f.outcome WHEN 'correct' THEN 1.0 WHEN 'partly' THEN 0.5 ELSE 0.0 END)"
            " END) AS brier,"
            " SUM(CASE WHEN f.probability IS NOT NULL AND f.outcome IN ('correct', 'wrong', 'partly')"
            " THEN 1 END) AS with_probability"
            " FROM forecasts f"
            " WHERE f.guild_id = ? AND f.status = 'resolved' AND f.outcome != 'withdrawn'"
            " GROUP BY k ORDER BY resolved DESC, k LIMIT ?",
            (guild_id, limit),
        )
        return [
            TrackRecordRow(
                key=row["k"],
                resolved=int(row["resolved"]),
                correct=int(row["correct"] or 0),
                partly=int(row["partly"] or 0),
                wrong=int(row["wrong"] or 0),
                brier=row["brier"],
                with_probability=int(row["with_probability"] or 0),
            )
            for row in rows
        ]
