#!/usr/bin/env python
"""Django's command-line utility; a configuration error is one clear line, not a traceback."""

import os
import sys

# Commands that sign nothing and serve nothing may run without SECRET_KEY (the contract checker runs `evaluate`
# with a bare environment); they get a random key that lives as long as the process.
OFFLINE_COMMANDS = {"evaluate", "bench_engine", "makemigrations"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workup.settings")
    if len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
        os.environ["WORKUP_OFFLINE_COMMAND"] = sys.argv[1]
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - load settings now so a bad variable is reported plainly
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(1)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
