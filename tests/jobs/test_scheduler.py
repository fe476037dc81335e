"""FairQueue: submitters take turns; a job put back after a 1303 keeps its place."""

from __future__ import annotations

from kling_ui.jobs.scheduler import FairQueue


def _drain(queue: FairQueue) -> list[str]:
    out = []
    while (ticket := queue.pop()) is not None:
        out.append(ticket.job_id)
    return out


def test_one_submitter_is_served_first_in_first_out() -> None:
    queue = FairQueue()
    for job in ("a1", "a2", "a3"):
        queue.push("alice", job)
    assert _drain(queue) == ["a1", "a2", "a3"]


def test_submitters_take_turns_whatever_order_they_queued_in() -> None:
    queue = FairQueue()
    for n in range(1, 5):
        queue.push("deck", f"d{n}")
    queue.push("bob", "b1")
    queue.push("bob", "b2")
    queue.push("carol", "c1")
    assert _drain(queue) == ["d1", "b1", "c1", "d2", "b2", "d3", "d4"]


def test_a_newcomer_goes_before_a_submitter_already_served() -> None:
    queue = FairQueue()
    for n in range(1, 31):
        queue.push("deck", f"d{n}")
    served = [queue.pop().job_id for _ in range(3)]  # type: ignore[union-attr]
    queue.push("teammate", "t1")
    assert served == ["d1", "d2", "d3"]
    assert queue.pop().job_id == "t1"  # type: ignore[union-attr]


def test_requeue_puts_the_job_back_at_the_front_and_gives_the_turn_back() -> None:
    queue = FairQueue()
    queue.push("alice", "a1")
    queue.push("alice", "a2")
    queue.push("bob", "b1")
    ticket = queue.pop()
    assert ticket is not None and ticket.job_id == "a1"
    queue.requeue(ticket)
    assert _drain(queue) == ["a1", "b1", "a2"]


def test_order_predicts_pop_without_changing_the_queue() -> None:
    queue = FairQueue()
    for job in ("a1", "a2", "a3"):
        queue.push("alice", job)
    queue.push("bob", "b1")
    predicted = queue.order()
    assert len(queue) == 4
    assert predicted == _drain(queue)


def test_remove_takes_a_cancelled_job_out_of_line() -> None:
    queue = FairQueue()
    queue.push("alice", "a1")
    queue.push("alice", "a2")
    assert queue.remove("a1") is True
    assert queue.remove("a1") is False
    assert "a1" not in queue
    assert _drain(queue) == ["a2"]


def test_pushing_a_queued_job_again_does_not_duplicate_it() -> None:
    queue = FairQueue()
    queue.push("alice", "a1")
    queue.push("alice", "a1")
    assert len(queue) == 1


def test_a_job_not_ready_yet_is_passed_over_for_the_next_ready_one() -> None:
    queue = FairQueue()
    for job_id in ("refused", "next", "last"):
        queue.push("alice", job_id)
    ticket = queue.pop(lambda job_id: job_id != "refused")
    assert ticket is not None and ticket.job_id == "next"
    assert queue.order() == ["refused", "last"]


def test_nothing_is_popped_while_no_job_is_ready() -> None:
    queue = FairQueue()
    queue.push("alice", "refused")
    assert queue.pop(lambda job_id: False) is None
    assert len(queue) == 1
