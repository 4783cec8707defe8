"""One Kiwi morphological analyser per process, with Hindsight's domain words added.

Loading Kiwi takes about a second and half a gigabyte, so it happens once, lazily, behind a lock.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

from kiwipiepy import Kiwi

_lock = threading.Lock()
_instance: Kiwi | None = None
_loads = 0


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
                kiwi = Kiwi()
                for word, tag, score in user_words():
                    kiwi.add_user_word(word, tag, score)
                _instance = kiwi
                _loads += 1
    return _instance


def load_count() -> int:
    """How many times Kiwi was loaded in this process (the benchmark checks it is one)."""
    return _loads
