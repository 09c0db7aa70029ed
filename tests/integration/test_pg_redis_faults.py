"""Faults on real components this test starts itself (issue 21.8): its own PostgreSQL cluster restarted
with ``pg_ctl restart -m fast`` and its own Redis stopped for five seconds, while API saves keep arriving
at gunicorn (2 workers), with a real Celery worker and Celery beat running (tests/faultstack.py).

Every save must answer either 2xx or JSON 503 with Retry-After (never Django's HTML 500, never no
answer); no accepted save may be lost; every accepted article must end ``ready``. The figures (how many
503s, recovery time, the delay of saves queued during the Redis outage) are bench/fault_bench.py's.
"""

from __future__ import annotations

import pytest

from tests.conftest import LOCAL_NETWORKS
from tests.faultstack import Stack, pg_restart_fault, redis_stop_fault, run_fault

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

#: Beat's sweep period here (Folio's default is 60 s): keeps the test short; the bench uses the default.
SWEEP_SECONDS = 5.0


@pytest.fixture(scope="module")
def stack():
    with Stack(fetch_networks=LOCAL_NETWORKS, sweep_interval=SWEEP_SECONDS) as running:
        yield running


def _explain(run, stack) -> str:
    return f"{run.summary()}\nbad answers: {run.bad[:5]}\n{stack.logs()}"


def _check(run, stack) -> None:
    assert run.accepted, _explain(run, stack)
    assert not run.bad, _explain(run, stack)  # every answer 2xx or JSON 503 with Retry-After
    assert all(a.status < 500 or a.json_503 for a in run.answers)
    assert not run.lost, _explain(run, stack)
    assert set(run.final) == {a.article_id for a in run.accepted}
    assert set(run.final.values()) == {"ready"}, _explain(run, stack)
    assert any(a.accepted and a.sent > run.fault_end for a in run.answers), "saves resumed after the fault"


def test_saves_through_a_postgresql_restart(stack, page_server):
    page = page_server.url("/seed/voz-russia-taliban.html")
    run = run_fault(stack, page, "postgresql restart", pg_restart_fault(stack))
    _check(run, stack)
    # The restart really cut the app's connections: the cluster's log shows the fast shutdown.
    assert "received fast shutdown request" in (stack.directory / "pg" / "postgres.log").read_text()


def test_saves_through_a_redis_outage(stack, page_server):
    page = page_server.url("/seed/voz-russia-taliban.html")
    run = run_fault(stack, page, "redis stopped 5 s", redis_stop_fault(stack, 5.0))
    _check(run, stack)
    during = [a for a in run.accepted if run.fault_start <= a.sent and a.done <= run.fault_end]
    assert during, "saves were accepted while Redis was down"  # stored, their message sent later
    assert all(run.final[a.article_id] == "ready" for a in during)
