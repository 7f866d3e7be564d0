"""Forums: boards, threads, nested replies, opinion solicitations, search; and the secretary mailbox."""
