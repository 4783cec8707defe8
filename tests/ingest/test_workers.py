"""The parsing worker process: results and InputErrors come back; a crash costs one input."""

from __future__ import annotations

import os

import pytest

from digests.errors import InputError
from digests.ingest.feeds import parse_feed
from digests.ingest.workers import in_worker


async def test_results_and_input_errors_come_back_from_the_worker() -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><title>a</title></item></channel></rss>'
    )

    feed = await in_worker("feed", parse_feed, body, "feed")
    assert [entry.title for entry in feed.entries] == ["a"]
    assert os.getpid() not in {await in_worker("pid", os.getpid)}

    with pytest.raises(InputError) as caught:
        await in_worker("https://x.example/feed", parse_feed, b" ", "https://x.example/feed")
    assert caught.value.subject == "https://x.example/feed"
    assert caught.value.reason == "malformed feed XML: empty document"


async def test_a_crashed_worker_is_an_input_error_and_the_next_input_gets_a_new_one() -> None:
    with pytest.raises(InputError) as caught:
        await in_worker("https://x.example/feed", os._exit, 3)
    assert caught.value.user_message == "https://x.example/feed: the parser crashed on this input"

    assert await in_worker("after", len, b"four") == 4
