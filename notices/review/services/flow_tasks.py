"""What the two LA processes (penalty notice requests, prosecution referrals) share about viewflow tasks."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction
from viewflow.workflow import STATUS

# A task still waiting for someone: created, assigned to an officer, or begun.
OPEN_TASK_STATES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


class ProcessRowLock:
    """The flows' lock: SELECT ... FOR UPDATE on the process row, waiting for whoever holds it.

    viewflow's select_for_update_lock asks with NOWAIT and, when the row is taken, catches the DatabaseError
    inside its own atomic block and tries again: on PostgreSQL the transaction is aborted by then, so every
    officer who came second got "current transaction is aborted" as a server error. Waiting instead lets the
    second officer's service read what the first did and refuse with a message (lock_process). On SQLite
    Django leaves FOR UPDATE out; there the transaction itself serialises (IMMEDIATE, config.settings)."""

    @contextmanager
    def __call__(self, flow_class, process_pk):
        with transaction.atomic():
            list(flow_class.process_class._default_manager.select_for_update().filter(pk=process_pk).values("pk"))
            yield


process_row_lock = ProcessRowLock()


def lock_process(process):
    """The process as it is now, its row locked until the transaction ends: the first thing a service that
    acts on a request or referral does, so that of two officers acting at once the second waits, then reads
    what the first did (and is refused with a message) rather than acting on what the page showed."""
    # No select_related: FOR UPDATE would lock the joined case, school and LA rows too.
    return type(process)._default_manager.select_for_update().get(pk=process.pk)


def open_flow_task(flow_class, process, node_name: str):
    """The process's open task at ``node_name`` of ``flow_class``, or None."""
    node = getattr(flow_class, node_name)
    return (
        flow_class.task_class.objects.filter(process_id=process.pk, flow_task=node, status__in=OPEN_TASK_STATES)
        .select_related("owner").order_by("-pk").first()
    )


def task_still(activation, status: str, *, owner=None, refused: type[Exception], what: str) -> None:
    """Under the flow's lock: the task is as the person saw it, or someone else acted first."""
    task = activation.task
    if task.status != status or (owner is not None and task.owner_id != owner.pk):
        raise refused(f"Someone else acted on this {what} just now. Reload the page; nothing was saved.")


def take_review_task(task, by, *, refused: type[Exception], what: str) -> None:
    """An LA officer takes the open review task from the team's queue; under the flow's lock, so when two take it
    at once the second is told who has it."""
    if task is None:
        raise refused(f"This {what} is not waiting for the local authority.")
    with task.activation() as activation:
        if activation.task.owner_id is not None:
            raise refused(f"{activation.task.owner.get_full_name()} has already taken this {what}.")
        activation.assign(by)


def locked_process(activation):
    """The process object the flow's next nodes will save: write to this one, never to another copy, or
    the End node's save would put the stale copy's fields back."""
    process = activation.process.coerced
    process.refresh_from_db()
    return process


def la_officers(local_authority):
    """The LA's people who review its work (who a task may be given to), by name."""
    from django.contrib.auth import get_user_model

    from cases import roles

    return get_user_model().objects.filter(
        staff__local_authority=local_authority, staff__role__in=sorted(roles.roles_with(roles.LA_REVIEW)),
        is_active=True,
    ).order_by("first_name", "last_name", "username")


def reassign_review_task(task, to, *, refused: type[Exception], what: str):
    """The LA manager gives an open task to another officer (from the queue, or from the officer who has it);
    under the flow's lock. Returns the officer who had it, or None when it was in the queue."""
    if task is None:
        raise refused(f"This {what} is not waiting for the local authority.")
    with task.activation() as activation:
        previous = activation.task.owner
        if previous is not None and previous.pk == to.pk:
            raise refused(f"{to.get_full_name() or to.get_username()} already has this {what}.")
        if activation.task.status == STATUS.NEW:
            activation.assign(to)
        elif activation.task.status == STATUS.ASSIGNED:
            activation.reassign(to)
        else:
            raise refused(f"The officer has begun this {what}: it can no longer be given to someone else.")
    return previous
