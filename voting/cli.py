"""`grassroots election export ID DIR` and `grassroots election verify DIR [--receipt CODE
[--nonce NONCE]] [--commitment HASH]`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from grassroots.db import Database
from grassroots.errors import DomainError
from grassroots.settings import Settings

from . import phases, record, verifier


def add_commands(commands: Any) -> None:
    """Add the election commands to the grassroots command's subparsers."""
    election = commands.add_parser("election", help="election records").add_subparsers(metavar="COMMAND")
    export = election.add_parser("export", help="write a closed election's record and verifier into DIR")
    export.add_argument("id", type=int)
    export.add_argument("dir", type=Path)
    export.set_defaults(run=cmd_export)
    verify = election.add_parser("verify", help="recompute an exported record's chain, counts and tally")
    verify.add_argument("dir", type=Path)
    verify.add_argument("--receipt", default="", help="also find the ballot with this receipt")
    verify.add_argument("--nonce", default="", help="with --receipt: check that ballot is the one committed")
    verify.add_argument("--commitment", default="", help="also find this commitment in the ballot chain")
    verify.set_defaults(run=cmd_verify)


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    database = Database(settings)
    try:
        with database.reading() as db:
            path = record.export(db, phases.get_election(db, args.id), args.dir)
    except DomainError as error:
        print(error.message)
        return 1
    finally:
        database.dispose()
    print(f"record written to {path}, verifier beside it (sha256 {record.verifier_sha256()})")
    return 0


def cmd_verify(settings: Settings, args: argparse.Namespace) -> int:
    """The same checks as the standalone verifier, which this runs."""
    argv = [str(args.dir), *(["--receipt", args.receipt] if args.receipt else [])]
    argv += ["--nonce", args.nonce] if args.nonce else []
    argv += ["--commitment", args.commitment] if args.commitment else []
    return verifier.main(argv)
