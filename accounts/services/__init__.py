"""Writes of the accounts app (share links, invitations, two-factor devices), one function per operation,
shared by the pages and the API. Deleting a whole account is ``articles.services.account.account_delete``
(it removes articles, tags, highlights and images too)."""
