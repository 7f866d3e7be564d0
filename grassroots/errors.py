"""Domain errors that routes turn into responses. Messages are already translated."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status_code = 404


class NotPermitted(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class FormInvalid(DomainError):
    """One message per field that failed; the form is shown again with what was typed."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class Throttled(DomainError):
    status_code = 429

    def __init__(self, message: str, wait_seconds: int) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds
