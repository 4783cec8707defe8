"""Digest tests run on both stores (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.support import stores

# These tests run on both stores: SQLite and PostgreSQL.
store_url = stores.store_url
