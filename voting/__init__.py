"""Audited online nomination and voting, verifiable by anyone."""
