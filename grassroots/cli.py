"""The grassroots command: serve, db upgrade, demo, user add, audit verify, election export/verify."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence

from disclosure import demo as disclosure_demo
from forum import demo as forum_demo
from forum import demo_moderation
from forum.mailbox import demo as mailbox_demo
from forum.mailbox import demo_bulk as mailbox_bulk
from grassroots import audit, demo, migrate
from grassroots.accounts import organizations as orgs
from grassroots.accounts import services as accounts
from grassroots.accounts.models import Role
from grassroots.audit import AuditAction
from grassroots.db import Database, vacuum_analyze
from grassroots.errors import DomainError, FormInvalid
from grassroots.notifications import Notifier
from grassroots.security import Passwords
from grassroots.settings import Settings
from voting import cli as voting_cli
from voting import demo as voting_demo

ROLE_NAMES = ["admin", *(role.name.lower() for role in Role)]


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    settings = settings or Settings.from_env()
    return int(args.run(settings, args) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grassroots", description="Run and manage a Grassroots site.")
    commands = parser.add_subparsers(metavar="COMMAND")

    serve = commands.add_parser("serve", help="migrate the database and serve the site")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="load demo data into an empty database first")
    serve.set_defaults(run=cmd_serve)

    db = commands.add_parser("db", help="database commands").add_subparsers(metavar="COMMAND")
    db.add_parser("upgrade", help="apply pending migrations").set_defaults(run=cmd_db_upgrade)

    demo_cmd = commands.add_parser("demo", help="load demo data into an empty database")
    demo_cmd.add_argument("--members", type=int, default=20)
    demo_cmd.add_argument("--residents", type=int, default=10)
    demo_cmd.add_argument(
        "--threads", type=int, default=0, help="forum threads to add in bulk, for benchmarks (default: none)"
    )
    demo_cmd.add_argument("--posts-per-thread", type=int, default=50, help="posts in each bulk thread (50)")
    demo_cmd.add_argument(
        "--held", type=int, default=demo_moderation.SMALL_HELD,
        help=f"newcomers' posts waiting in the moderation queue ({demo_moderation.SMALL_HELD})",
    )  # fmt: skip
    demo_cmd.add_argument(
        "--disclosures",
        type=int,
        default=0,
        help="notices added in bulk to the disclosure area, for benchmarks",
    )
    demo_cmd.add_argument("--letters", type=int, default=0, help="letters added in bulk to the mailboxes")
    demo_cmd.add_argument(
        "--voters", type=int, default=0,
        help="members (voter0001…) of an election open for voting, all checked in, for benchmarks",
    )  # fmt: skip
    demo_cmd.add_argument("--password", help="password of every demo account (generated when omitted)")
    demo_cmd.set_defaults(run=cmd_demo)

    user = commands.add_parser("user", help="accounts").add_subparsers(metavar="COMMAND")
    add = user.add_parser("add", help="create an account (the first administrator, say)")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLE_NAMES, required=True)
    add.add_argument("--org", help="organization slug (for every role but admin)")
    add.add_argument("--display-name", default="")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(run=cmd_user_add)

    audit_cmd = commands.add_parser("audit", help="the audit log").add_subparsers(metavar="COMMAND")
    audit_cmd.add_parser("verify", help="recompute the hash chain").set_defaults(run=cmd_audit_verify)
    voting_cli.add_commands(commands)
    return parser


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    migrate.upgrade(settings.database_url)
    print("database is up to date")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    migrate.upgrade(settings.database_url)
    if args.demo:
        database = Database(settings)
        try:
            with database.reading() as session:
                empty = demo.is_empty(session)
            if empty:
                _load_demo(settings, database, password=demo.generate_password(), members=20, residents=10)
        finally:
            database.dispose()
    # Workers read their settings from the environment; pass on what this process resolved.
    os.environ["GRASSROOTS_DATA_DIR"] = str(settings.data_dir)
    os.environ["GRASSROOTS_DATABASE_URL"] = settings.database_url
    print(f"Grassroots is serving on http://{args.host}:{args.port}/", flush=True)
    uvicorn.run(
        "grassroots.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        access_log=False,
        log_level="warning",
    )
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    migrate.upgrade(settings.database_url)
    database = Database(settings)
    try:
        with database.reading() as session:
            if not demo.is_empty(session):
                print("the database already has accounts; demo data goes into an empty one", file=sys.stderr)
                return 1
        if (
            min(args.threads, args.held, args.disclosures, args.letters, args.voters) < 0
            or args.posts_per_thread < 1
        ):
            print(
                "--threads, --held, --disclosures, --letters and --voters must be 0 or more, "
                "--posts-per-thread 1 or more",
                file=sys.stderr,
            )
            return 2
        password = args.password or demo.generate_password()
        _load_demo(
            settings,
            database,
            password=password,
            members=args.members,
            residents=args.residents,
            threads=args.threads,
            posts_per_thread=args.posts_per_thread,
            held=args.held,
            disclosures=args.disclosures,
            letters=args.letters,
            voters=args.voters,
        )
    finally:
        database.dispose()
    return 0


def _load_demo(
    settings: Settings,
    database: Database,
    *,
    password: str,
    members: int,
    residents: int,
    threads: int = 0,
    posts_per_thread: int = 50,
    held: int = demo_moderation.SMALL_HELD,
    disclosures: int = 0,
    letters: int = 0,
    voters: int = 0,
) -> None:
    """The shell's demo, then the forums' (boards, threads, solicitations; `threads` more in bulk),
    what waits for the moderators (`held` newcomers' posts, a flagged one), the disclosure area
    (`disclosures` more notices in bulk), the mailbox's letters (`letters` more in bulk) and
    an election in each phase (`voters` more in an open one, for the casting benchmark)."""
    with database.writing() as session:
        made = demo.load(
            session, Passwords(settings), password=password, members=members, residents=residents
        )
        forum = forum_demo.load(session, Notifier(), threads=threads, posts_per_thread=posts_per_thread)
        made += demo_moderation.load(
            session, Notifier(), forum.boards, held=held, progress=forum_demo.stderr_progress
        )
        post_id = disclosure_demo.load(
            session, settings.data_dir, bulk=disclosures, progress=forum_demo.stderr_progress
        )
        mailbox_demo.load(session, Notifier())
        if letters:
            mailbox_bulk.load(session, letters, progress=forum_demo.stderr_progress)
        made += voting_demo.load(
            session, post_id=post_id, bench_voters=voters, progress=forum_demo.stderr_progress
        )
    if threads:
        forum_demo.analyze(database)
    if letters:
        vacuum_analyze(database, ["mailbox_letters"])
    if disclosures:
        vacuum_analyze(database, ["disclosures", "disclosure_revisions"])
    if voters:
        vacuum_analyze(database, ["users", "memberships", "voting_roll", "voting_checkins", "audit_entries"])
    if held > demo_moderation.SMALL_HELD:
        vacuum_analyze(database, ["moderation_queue", "forum_posts", "forum_threads", "users"])
    print(f"demo accounts (password: {password}):")
    for account in made:
        print(f"{account.username} {account.role} {account.organization}")


def cmd_user_add(settings: Settings, args: argparse.Namespace) -> int:
    if args.role != "admin" and not args.org:
        print("--org is needed for every role but admin", file=sys.stderr)
        return 2
    password = _read_password(args.password_stdin)
    migrate.upgrade(settings.database_url)
    database = Database(settings)
    try:
        with database.writing() as session:
            user = accounts.create_user(
                session,
                Passwords(settings),
                username=args.username,
                password=password,
                display_name=args.display_name,
                is_admin=args.role == "admin",
            )
            audit.record(
                session,
                actor=None,
                action=AuditAction.ACCOUNT_USER_CREATE,
                subject=user,
                data={"username": user.username, "admin": user.is_admin},
            )
            if args.org:
                org = orgs.load_org_tree(session).by_slug(args.org)
                if args.role != "admin":
                    orgs.set_role(session, actor=None, user=user, org=org, role=Role[args.role.upper()])
    except FormInvalid as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 1
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"created {args.username} ({args.role})")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("the two passwords differ")
    return first


def cmd_audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    database = Database(settings)
    try:
        with database.reading() as session:
            head = audit.get_head(session)
            problem = audit.verify_chain(audit.iter_entries(session), head)
    finally:
        database.dispose()
    if problem is not None:
        print(f"audit log broken at entry {problem.seq}: {problem.reason}")
        return 1
    print(f"audit log intact: {head.seq} entries, head {head.hash}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
