#!/usr/bin/env python
"""Django's command-line utility for Folio."""

import os
import sys


def main() -> None:
    """Run a management command with Folio's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reader.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
