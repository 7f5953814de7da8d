"""Queueing work so that nothing saved is lost, or answered with an error, when the broker or
the mail server is down.

Every piece of background work is first recorded in the database with the change that needs
it (an upload in "checking", a measure whose statuses are wanted, a pack PDF "queued", an
e-mail in the outbox), then handed to Celery once the transaction commits. If the broker
cannot take it, the request still succeeds: the failure is logged and the sweeper
(``sweep_stuck_work``, every few minutes, or ``manage.py sweep``) hands the recorded work to
Celery again once it is back. Tasks are idempotent, so work sent twice is done once.
"""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue(task, *args):
    """Send ``task(*args)`` to the workers once the current transaction commits; never raise."""
    transaction.on_commit(lambda: send(task, *args))


def send(task, *args):
    """Send now; on failure (broker down, or in eager mode the task itself failing) log it and
    leave the recorded work for the sweeper. Returns whether it was sent."""
    try:
        task.apply_async(
            args,
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
        )
    except Exception:  # noqa: BLE001 - the work is recorded; the sweeper sends it again
        log.warning(
            "Could not run %s%s now; the sweeper will retry it", task.name, args, exc_info=True
        )
        return False
    return True
