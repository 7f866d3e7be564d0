"""Grassroots: the shell every feature stands on (accounts, organizations, security, audit log)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
