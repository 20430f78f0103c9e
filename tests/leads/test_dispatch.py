"""The webhook event dispatcher batches publishes without losing an event."""
from __future__ import annotations

import threading
import time

from leads.ingest.dispatch import EventDispatcher


def test_events_added_within_the_window_go_out_in_one_publish() -> None:
    published: list[list[int]] = []
    done = threading.Event()

    def publish(batch: list[int]) -> None:
        published.append(batch)
        done.set()

    dispatcher = EventDispatcher(publish, lambda: 0.2)
    for event_id in range(1, 6):
        dispatcher.add(event_id)

    assert done.wait(5)
    time.sleep(0.1)
    assert published == [[1, 2, 3, 4, 5]]


def test_flush_hands_over_everything_pending_in_bounded_batches() -> None:
    published: list[list[int]] = []
    dispatcher = EventDispatcher(published.append, lambda: 60.0, max_batch=2)
    for event_id in range(1, 6):
        dispatcher.add(event_id)

    dispatcher.flush()

    assert published == [[1, 2], [3, 4], [5]]


def test_a_failing_broker_does_not_raise_into_the_request() -> None:
    def publish(batch: list[int]) -> None:
        raise ConnectionError("broker down")

    dispatcher = EventDispatcher(publish, lambda: 60.0)
    dispatcher.add(1)

    dispatcher.flush()  # logged; the sweeper finds the stored event later


def test_with_no_window_each_event_is_published_at_once() -> None:
    published: list[list[int]] = []
    dispatcher = EventDispatcher(published.append, lambda: 0.0)

    dispatcher.add(7)

    assert published == [[7]]


def test_with_no_window_a_failing_broker_does_not_raise_either() -> None:
    def publish(batch: list[int]) -> None:
        raise ConnectionError("broker down")

    EventDispatcher(publish, lambda: 0.0).add(1)


def test_events_arriving_during_a_publish_wait_for_the_next_window() -> None:
    published: list[list[int]] = []

    def publish(batch: list[int]) -> None:
        published.append(batch)
        if len(published) == 1:
            dispatcher.add(3)  # a webhook answered while the broker is being written to

    dispatcher = EventDispatcher(publish, lambda: 60.0)
    dispatcher.add(1)
    dispatcher.add(2)

    dispatcher.flush()
    assert published == [[1, 2]]
    dispatcher.flush()
    assert published == [[1, 2], [3]]
