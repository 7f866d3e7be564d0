"""Every table of every feature, gathered for Alembic and for the schema test.

Like app.py this is a composition point: it imports the features' models so that their tables
join the one MetaData.
"""

from disclosure import models as disclosure_models  # noqa: F401
from forum import models as forum_models  # noqa: F401
from forum.mailbox import models as mailbox_models  # noqa: F401
from grassroots import audit, mail, notifications, security, tokens, uploads  # noqa: F401
from grassroots.accounts import models as account_models  # noqa: F401
from grassroots.accounts import tree  # noqa: F401
from grassroots.db import Base
from moderation import models as moderation_models  # noqa: F401
from voting import models as voting_models  # noqa: F401
from voting.polls import models as poll_models  # noqa: F401

metadata = Base.metadata


# Made by the migrations but not by models: SQLite's FTS5 search table (and the shadow tables
# FTS5 keeps beside it) and PostgreSQL's full-text expression index.
UNMODELLED = ("forum_search_fts", "ix_forum_search_terms_tsv")


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """For Alembic's comparison: leave out what only the migrations make."""
    return not (name or "").startswith(UNMODELLED)
