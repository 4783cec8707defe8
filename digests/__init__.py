"""Hindsight domain: ingestion, analysis, ledger, digests and scheduling policy.

This package never imports discord; front ends live in `bot/`.
"""
