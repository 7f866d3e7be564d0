"""The secretary mailbox: letters to an organization's secretary, tracked until answered."""
