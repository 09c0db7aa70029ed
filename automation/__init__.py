"""Tagging rules and webhooks: the library sorts itself and tells other tools what happened (issue 14)."""
