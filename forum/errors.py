"""What can go wrong when writing in the forums. Messages are translated when raised."""

from __future__ import annotations

from grassroots.errors import Conflict, DomainError, NotPermitted


class ThreadLocked(NotPermitted):
    pass


class DeadlinePassed(Conflict):
    pass


class CannotReply(DomainError):
    """The post answered is gone, elsewhere, or not yet public."""

    status_code = 409
