"""Domain errors. Each carries a message that is safe to show to a user as it is.

Front ends catch `HindsightError` in one place (the CLI's main, the terminal shell, the Discord
`CommandTree.on_error`) and show `user_message`; anything else is a bug and is logged with its
traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from digests.i18n import in_language, message

logger = logging.getLogger(__name__)


class HindsightError(Exception):
    """Base class for errors whose message can be shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.user_message = message

    def message_in(self, language: object) -> str:
        """`user_message` in the reader's language: a catalog message (digests.i18n.Message)
        is written in it; other text is shown as it is."""
        return in_language(self.user_message, language)


class InputError(HindsightError):
    """Bad input: names the input and the reason."""

    def __init__(self, subject: str, reason: str) -> None:
        self.subject = subject
        self.reason = reason
        # A catalog message, so the reason stays translatable wherever the error is stored.
        super().__init__(message("error.input", subject=subject, reason=reason))

    def message_in(self, language: object) -> str:
        """The input's name (as typed, never translated) and the reason in the reader's
        language."""
        return f"{self.subject}: {in_language(self.reason, language)}"


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
    return message("error.internal", kind=type(error).__name__)


@contextmanager
def input_failures(subject: str, what: str) -> Iterator[None]:
    """Run a parser over input named `subject`: any failure but ours becomes an InputError
    naming the input ("`subject`: unreadable `what`: …") and is logged with its traceback.
    `what` names the kind of input in the catalog's `input_kind` table ("feed", "html")."""
    try:
        yield
    except HindsightError:
        raise
    except Exception as error:
        logger.warning("parsing %s failed", subject, exc_info=True)
        detail = (str(error).strip().splitlines() or [type(error).__name__])[0][:120]
        raise InputError(
            subject,
            message("error.parser_gave_up", what=message(f"input_kind.{what}"), detail=detail),
        ) from error
