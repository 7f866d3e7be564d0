"""How audit entries read on the page: a translated name for each action and the few facts
a person looks for (whom, where, what role), with the raw record kept for checking."""

from __future__ import annotations

import json
from collections.abc import Mapping

from grassroots.accounts.labels import role_label
from grassroots.accounts.models import Role
from grassroots.audit import AuditAction, AuditEntry
from grassroots.i18n import gettext as _


def action_label(action: str) -> str:
    labels = {
        AuditAction.ACCOUNT_USER_CREATE: _("Account created"),
        AuditAction.ACCOUNT_ADMIN_GRANT: _("Made site administrator"),
        AuditAction.ACCOUNT_ADMIN_REVOKE: _("No longer site administrator"),
        AuditAction.ACCOUNT_ROLE_GRANT: _("Role given"),
        AuditAction.ACCOUNT_ROLE_REVOKE: _("Role removed"),
        AuditAction.ACCOUNT_JOIN_APPROVE: _("Membership request approved"),
        AuditAction.ACCOUNT_JOIN_REJECT: _("Membership request declined"),
        AuditAction.ACCOUNT_MEMBER_UNVERIFY: _("Member verification withdrawn"),
        AuditAction.ACCOUNT_ROLL_IMPORT: _("Member roll imported"),
        AuditAction.ACCOUNT_INVITE_REDEEM: _("Invite code used"),
        AuditAction.ORG_CREATE: _("Organization created"),
        AuditAction.ORG_UPDATE: _("Organization changed"),
        AuditAction.FORUM_BOARD_CREATE: _("Board created"),
        AuditAction.FORUM_BOARD_UPDATE: _("Board changed"),
        AuditAction.FORUM_SOLICITATION_OPEN: _("Opinion solicitation opened"),
        AuditAction.FORUM_SOLICITATION_RESPOND: _("Response to a solicitation published"),
        AuditAction.MODERATION_ACTION: _("Moderator action"),
        AuditAction.MODERATION_WORD_ADD: _("Watched word added"),
        AuditAction.MODERATION_WORD_REMOVE: _("Watched word removed"),
        AuditAction.MODERATION_RULES_UPDATE: _("Moderation numbers of an organization changed"),
        AuditAction.DISCLOSURE_PUBLISH: _("Disclosure published"),
        AuditAction.DISCLOSURE_REVISE: _("Disclosure revised"),
        AuditAction.DISCLOSURE_WITHDRAW: _("Disclosure withdrawn"),
        AuditAction.DISCLOSURE_OBJECTION_LODGE: _("Objection received"),
        AuditAction.DISCLOSURE_OBJECTION_HANDLE: _("Objection handled"),
        AuditAction.MAILBOX_LETTER_WRITE: _("Letter to the secretary received"),
        AuditAction.MAILBOX_LETTER_STATUS: _("Letter status changed"),
        AuditAction.MAILBOX_LETTER_REPLY: _("Letter answered"),
        AuditAction.MAILBOX_LETTER_NOTE: _("Internal note on a letter"),
        AuditAction.MAILBOX_LETTER_TRANSFER: _("Letter transferred"),
        AuditAction.MAILBOX_LETTER_EXTEND: _("Letter deadline extended"),
        AuditAction.MAILBOX_LETTER_ANSWER: _("Writer answered the reply"),
        AuditAction.MAILBOX_LETTER_RATE: _("Writer rated the reply"),
        AuditAction.MAILBOX_LETTER_REOPEN: _("Letter reopened by its writer"),
        AuditAction.MAILBOX_LETTER_PUBLISH: _("Letter published"),
        AuditAction.MAILBOX_SETTINGS_UPDATE: _("Mailbox deadline or holidays changed"),
        AuditAction.VOTING_ELECTION_CREATE: _("Election created"),
        AuditAction.VOTING_PHASE_ADVANCE: _("Election moved to its next phase"),
        AuditAction.VOTING_STEP_REQUEST: _("Election step asked for, awaiting a second official"),
        AuditAction.VOTING_STEP_CONFIRM: _("Election step confirmed by a second official"),
        AuditAction.VOTING_NOMINATION_ADD: _("Nomination made"),
        AuditAction.VOTING_CANDIDATE_REVIEW: _("Nominee's qualification reviewed"),
        AuditAction.VOTING_CANDIDATE_ANSWER: _("Nominee accepted or declined standing"),
        AuditAction.VOTING_ROLL_EXCLUDE: _("A voter not counted as expected"),
        AuditAction.VOTING_CHECKIN_ADD: _("Voter checked in"),
        AuditAction.VOTING_ELECTION_OPEN: _("Voting opened, voter roll frozen"),
        AuditAction.VOTING_ELECTION_CLOSE: _("Voting closed, ballots published"),
        AuditAction.VOTING_ELECTION_TALLY: _("Election counted"),
        AuditAction.VOTING_ELECTION_PUBLISH: _("Election result published"),
        AuditAction.VOTING_ROUND_START: _("Next round of an election prepared"),
        AuditAction.VOTING_POLL_CREATE: _("Poll created"),
        AuditAction.VOTING_POLL_CLOSE: _("Poll closed, its count fixed"),
    }
    return labels.get(action, action)  # type: ignore[call-overload]


def entry_facts(entry: AuditEntry, org_names: Mapping[str, str]) -> list[str]:
    """Short facts from the entry's data, in the reader's language."""
    data = json.loads(entry.data)
    facts: list[str] = []
    if data.get("username"):
        facts.append(str(data["username"]))
    if isinstance(data.get("organization"), str):
        facts.append(org_names.get(data["organization"], data["organization"]))
    if data.get("name"):
        facts.append(str(data["name"]))
    for key in ("from", "to"):
        value = data.get(key)
        if isinstance(value, str) and value.upper() in Role.__members__:
            label = role_label(Role[value.upper()])
            facts.append(_("from %(role)s", role=label) if key == "from" else _("to %(role)s", role=label))
    if isinstance(data.get("count"), int):
        facts.append(_("%(count)d people", count=data["count"]))
    return facts
