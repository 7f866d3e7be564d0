"""Every table of every feature, gathered for Alembic and for the schema test.

Like app.py this is a composition point: it imports the features' models so that their tables
join the one MetaData.
"""

from grassroots import audit, security  # noqa: F401
from grassroots.accounts import models as account_models  # noqa: F401
from grassroots.accounts import tree  # noqa: F401
from grassroots.db import Base

metadata = Base.metadata
