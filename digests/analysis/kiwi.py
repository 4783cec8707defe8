"""One Kiwi morphological analyser per process, with Hindsight's domain words added.

Kiwi is built without its multi-word dictionary (`load_multi_dict=False`): the analysis finds
the same forecasts, themes and quotes without it, and the process holds about 200 MB less
(≈330 MB instead of ≈530 MB). Loading takes about a second and Kiwi builds its tables on the
first analysis, so it happens once, behind a lock; `warm_up` does both ahead of time (the bot
calls it in a background thread at start, so the first /ingest does not wait for it).
"""

from __future__ import annotations

import logging
import threading
import time
from importlib import resources
from pathlib import Path

from kiwipiepy import Kiwi

log = logging.getLogger(__name__)

_lock = threading.Lock()
_instance: Kiwi | None = None
_loads = 0
_warm_lock = threading.Lock()
_warm = False
# Korean and English, prose and numbers: what the first analyses of posts will need.
_WARM_UP_TEXTS = [
    "테슬라는 2026년 하반기까지 로보택시를 출시할 것으로 보인다고 밝혔다.",
    "삼성전자 HBM4 양산은 내년 1분기에 시작될 전망이다. 영업이익은 약 23조원이었다.",
    "Nvidia expects capex growth in 2026 to exceed 50%, the CEO said.",
]


def user_words(extra_file: Path | None = None) -> list[tuple[str, str, float]]:
    """Domain words from the bundled list (and an optional user file): (word, tag, score)."""
    texts = [
        (resources.files("digests.analysis") / "resources" / "userwords.tsv").read_text("utf-8")
    ]
    if extra_file is not None and extra_file.exists():
        texts.append(extra_file.read_text("utf-8"))
    words = []
    for text in texts:
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            word = parts[0].strip()
            tag = parts[1].strip() if len(parts) > 1 and parts[1].strip() else "NNP"
            score = float(parts[2]) if len(parts) > 2 and parts[2].strip() else 10.0
            words.append((word, tag, score))
    return words


def get_kiwi() -> Kiwi:
    """The process-wide Kiwi instance (loaded on first use)."""
    global _instance, _loads
    if _instance is None:
        with _lock:
            if _instance is None:
                kiwi = Kiwi(load_multi_dict=False)
                for word, tag, score in user_words():
                    kiwi.add_user_word(word, tag, score)
                _instance = kiwi
                _loads += 1
    return _instance


def warm_up() -> float:
    """Load Kiwi and run it once, so its lazily built tables are ready before the first real
    analysis; returns the seconds it took (nothing to do when already warm)."""
    global _warm
    started = time.perf_counter()
    with _warm_lock:
        if not _warm:
            list(get_kiwi().split_into_sents(_WARM_UP_TEXTS, return_tokens=True))
            _warm = True
    return time.perf_counter() - started


def start_warm_up() -> threading.Thread:
    """Warm Kiwi up in a background daemon thread (Kiwi's native code runs without the GIL, so
    the event loop keeps going); an analysis asked for meanwhile waits for the same load."""

    def run() -> None:
        try:
            log.info("Kiwi warmed up in %.1f s", warm_up())
        except Exception:  # the first analysis will load it again and report what is wrong
            log.exception("warming Kiwi up failed")

    thread = threading.Thread(target=run, name="kiwi-warm-up", daemon=True)
    thread.start()
    return thread


def is_warm() -> bool:
    """True once `warm_up` has finished in this process."""
    return _warm


def load_count() -> int:
    """How many times Kiwi was loaded in this process (the benchmark checks it is one)."""
    return _loads
