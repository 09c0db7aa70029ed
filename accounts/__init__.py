"""Accounts: who may sign in and how (login throttling, invitations, two-factor, OIDC) and what a person
shows to others (public share links). Writes go through ``accounts.services`` (and, for deleting a whole
account, ``articles.services.account``)."""
