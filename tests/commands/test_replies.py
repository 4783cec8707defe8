"""Replies as text, and attachments kept on disk (large exports) rather than in memory."""

from __future__ import annotations

import gc
from pathlib import Path

from digests.commands.replies import Attachment, Reply, reply_as_text


def test_an_attachment_on_disk_is_copied_out_and_then_deleted(tmp_path: Path) -> None:
    source = tmp_path / "ledger.csv"
    source.write_bytes(b"id,claim\r\n1,\xed\x95\x9c\r\n")
    reply = Reply(title="Export", files=[Attachment.temporary("forecasts.csv", source)])
    assert reply.files[0].size == source.stat().st_size
    assert reply.files[0].read_bytes() == source.read_bytes()
    assert f"forecasts.csv ({source.stat().st_size} bytes)" in reply_as_text(reply)
    text = reply_as_text(reply, tmp_path / "out")
    assert (tmp_path / "out" / "forecasts.csv").read_bytes() == source.read_bytes()
    assert "attached:" in text
    del reply
    gc.collect()
    assert not source.exists()  # the temporary file went with the reply
    assert (tmp_path / "out" / "forecasts.csv").exists()  # the copy is the user's


def test_an_attachment_in_memory_is_written_out(tmp_path: Path) -> None:
    reply = Reply(files=[Attachment("chart.png", b"\x89PNG")])
    assert reply.files[0].size == 4 and reply.files[0].read_bytes() == b"\x89PNG"
    reply_as_text(reply, tmp_path)
    assert (tmp_path / "chart.png").read_bytes() == b"\x89PNG"
