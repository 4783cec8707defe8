"""Reusable test helpers (local HTTP server, content builders)."""
