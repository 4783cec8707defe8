"""Hindsight front ends: the Discord bot and the terminal shell."""
