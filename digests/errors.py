"""Domain errors. Each carries a message that is safe to show to a user as it is.

Front ends catch `HindsightError` in one place (the CLI's main, the terminal shell, the Discord
`CommandTree.on_error`) and show `user_message`; anything else is a bug and is logged with its
traceback.
"""

from __future__ import annotations


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
