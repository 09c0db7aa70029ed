"""Point this test process's Celery app at another broker (a closed port: the broker is down)."""

import contextlib
import os

#: Nothing listens on port 1: publishing fails at once, as when Redis is down.
CLOSED_BROKER = "redis://127.0.0.1:1/0"


@contextlib.contextmanager
def publishing_to(url: str):
    """Make this test process's Celery app publish to ``url`` (then back). Celery reads the
    CELERY_BROKER_URL environment variable before its configuration, so both are switched."""
    from reader.celery import app

    old_conf, old_env = app.conf.broker_url, os.environ.get("CELERY_BROKER_URL")

    def reset():
        app._pool = None
        with contextlib.suppress(AttributeError, KeyError):
            app.__dict__["amqp"]._producer_pool = None

    app.conf.broker_url = url
    os.environ["CELERY_BROKER_URL"] = url
    reset()
    try:
        yield
    finally:
        app.conf.broker_url = old_conf
        if old_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = old_env
        reset()
