"""Domain errors. Each carries a message that is safe to show to a user as it is.

Front ends catch `HindsightError` in one place (the CLI's main, the terminal shell, the Discord
`CommandTree.on_error`) and show `user_message`; anything else is a bug and is logged with its
traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)


class HindsightError(Exception):
    """Base class for errors whose message can be shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.user_message = message


class InputError(HindsightError):
    """Bad input: names the input and the reason."""

    def __init__(self, subject: str, reason: str) -> None:
        self.subject = subject
        self.reason = reason
        super().__init__(f"{subject}: {reason}")


class FetchError(InputError):
    """A URL or feed could not be fetched (network, HTTP status, refused address)."""


class NotFound(HindsightError):
    """Something the user named does not exist in their server."""


class PermissionDenied(HindsightError):
    """The user may not do this."""


class Conflict(HindsightError):
    """The request clashes with the current state (e.g. resolving an already resolved item)."""


class DatabaseUnavailable(HindsightError):
    """The configured database cannot be reached (names it, password hidden, and why)."""


def describe_failure(error: BaseException) -> str:
    """What a user (or a moderator reading a job's state) may see of an error: the message of
    ours, only the kind of anything else (its details and traceback go to the log)."""
    if isinstance(error, HindsightError):
        return error.user_message
    return f"internal error ({type(error).__name__}); the details are in the bot's log"


@contextmanager
def input_failures(subject: str, what: str) -> Iterator[None]:
    """Run a parser over input named `subject`: any failure but ours becomes an InputError
    naming the input ("`subject`: unreadable `what`: …") and is logged with its traceback."""
    try:
        yield
    except HindsightError:
        raise
    except Exception as error:
        logger.warning("parsing %s failed", subject, exc_info=True)
        detail = (str(error).strip().splitlines() or [type(error).__name__])[0][:120]
        raise InputError(subject, f"unreadable {what}: the parser gave up ({detail})") from error
