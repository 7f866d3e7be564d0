"""Moderation: the queue, flags, watched words, moderator actions and their public log."""
