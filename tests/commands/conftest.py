"""The command layer over real services: callers in two guilds."""

from __future__ import annotations

import pytest

from digests.app import Services
from digests.commands.handlers import Caller, Commands
from tests.support import stores

GUILD = 1
OTHER_GUILD = 2
MEMBER = Caller(GUILD, 10)
MODERATOR = Caller(GUILD, 99, is_moderator=True, can_manage_messages=True)
# The same person moderates another server: that grants nothing here.
ELSEWHERE = Caller(OTHER_GUILD, 10, is_moderator=True, can_manage_messages=True)


@pytest.fixture
def commands(services: Services) -> Commands:
    """Commands with the plain (terminal) formatter."""
    return Commands(services)


# These tests run on both stores: SQLite and PostgreSQL.
store_url = stores.store_url
