"""What an error page says, by status."""

from __future__ import annotations

from grassroots.i18n import gettext as _


def error_heading(status: int) -> str:
    headings = {
        400: _("We could not read that request"),
        403: _("You may not do that"),
        404: _("Page not found"),
        405: _("That page cannot be used this way"),
        409: _("That was already done"),
        413: _("What you sent is too large"),
        429: _("Too many attempts"),
        503: _("The site is briefly unavailable"),
    }
    return headings.get(status, _("Something went wrong on our side"))


def error_explanation(status: int) -> str:
    explanations = {
        400: _("The form arrived damaged or incomplete. Please go back and try again."),
        403: _(
            "Your account does not have permission for this here. If you think it should, ask your secretary."
        ),
        404: _("The address may be mistyped, or the page was removed."),
        405: _("Please use the links and buttons on the site."),
        409: _("Someone may have done it a moment before you. Please reload the page."),
        413: _("Please shorten the text or send a smaller file, then try again."),
        429: _("Please wait a few minutes, then try again."),
        503: _(
            "Please try again in a minute. If you were sending a form, first check whether it "
            "arrived before you send it again."
        ),
    }
    return explanations.get(status, _("The error was logged. Please try again in a moment."))
