"""Polls (网上调查): a question a thread can carry, or that stands on its own page.

Single choice, several choices up to a limit, or a ranking counted by Schulze, instant run-off
or, for several seats, single transferable vote. The counting is pure functions over plain
data (`counting`, `ranked`); a ballot is stored the way an election's is, apart from the fact
that its voter took part (`models`, `polls`).
"""
