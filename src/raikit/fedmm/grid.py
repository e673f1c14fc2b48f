"""A Flower ``Grid`` that stops waiting for replies when the simulation is interrupted.

Flower's in-memory grid waits for client replies until the round timeout, without looking at the
simulation's stop signal, so after Ctrl-C the ``ServerApp`` thread (not a daemon) would keep the
process alive for up to that timeout. :class:`InterruptibleGrid` forwards every call to Flower's grid
and waits for replies the same way (push, then pull every ``pull_interval`` seconds), but gives up
as soon as ``stop`` is set. This module imports flwr at the top: import it lazily.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from flwr.app import Message, RecordDict
from flwr.serverapp import Grid
from flwr.supercore.run import Run


class SimulationStopped(Exception):  # noqa: N818 - it is a signal, not an error
    """The simulation was interrupted while the server waited for replies."""


class InterruptibleGrid(Grid):
    def __init__(self, grid: Grid, stop: threading.Event, pull_interval: float) -> None:
        self._grid = grid
        self._stop = stop
        self._pull_interval = pull_interval

    def set_run(self, run: Run) -> None:
        self._grid.set_run(run)

    @property
    def run(self) -> Run:
        return self._grid.run

    def create_message(
        self,
        content: RecordDict,
        message_type: str,
        dst_node_id: int,
        group_id: str,
        ttl: float | None = None,
    ) -> Message:
        return self._grid.create_message(content, message_type, dst_node_id, group_id, ttl)

    def get_node_ids(self) -> Iterable[int]:
        return self._grid.get_node_ids()

    def push_messages(self, messages: Iterable[Message]) -> Iterable[str]:
        return self._grid.push_messages(messages)

    def pull_messages(self, message_ids: Iterable[str]) -> Iterable[Message]:
        return self._grid.pull_messages(message_ids)

    def send_and_receive(
        self, messages: Iterable[Message], *, timeout: float | None = None
    ) -> Iterable[Message]:
        pending = set(self.push_messages(messages))
        deadline = None if timeout is None else time.monotonic() + timeout
        replies: list[Message] = []
        while deadline is None or time.monotonic() < deadline:
            if self._stop.is_set():
                raise SimulationStopped("the simulation was interrupted")
            received = list(self.pull_messages(pending))
            replies.extend(received)
            pending.difference_update(msg.metadata.reply_to_message_id for msg in received)
            if not pending:
                break
            time.sleep(self._pull_interval)
        return replies
