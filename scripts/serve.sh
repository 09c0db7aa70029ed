#!/usr/bin/env bash
# `make run`'s servers: the worker (with beat), the slow-lane worker, gunicorn and, when FOLIO_MAIL_DOMAIN is
# set (in the environment or .env), the newsletters' SMTP receiver on 127.0.0.1:FOLIO_MAIL_PORT, until Ctrl-C.
# Job control (set -m) runs them as one foreground job in a process group of their own, so Ctrl-C reaches
# them and not make: make then prints no "*** Interrupt" line, and the trap ends the job with status 0.
# Usage: BIN=.venv/bin PORT=8000 bash scripts/serve.sh
set -m
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
(
  trap 'trap - EXIT INT TERM; kill $(jobs -p) 2>/dev/null; wait; exit 0' EXIT INT TERM
  "$BIN/celery" -A reader worker -B -l info --concurrency=2 -Q folio,folio-import -s data/celerybeat-schedule &
  "$BIN/celery" -A reader worker -l info --concurrency=2 -Q folio-slow -n slow@%h &
  "$BIN/gunicorn" reader.wsgi --bind "127.0.0.1:$PORT" --workers 2 --access-logfile - &
  if [ -n "$("$BIN/python" manage.py shell --no-imports -c 'from django.conf import settings; print(settings.FOLIO_MAIL_DOMAIN)' 2>/dev/null)" ]; then
    "$BIN/python" manage.py mail_receiver --host 127.0.0.1 &
  fi
  wait
)
