"""A uvicorn server that stops as soon as it is asked, for the simulator's own thread.

uvicorn notices `should_exit` on a 0.1 s tick, then waits a fixed 0.1 s for open connections
and polls every 0.1 s for their requests to end: a stop takes about 0.15 s. The simulator is
started and stopped hundreds of times a test run (and once per demo Studio), and what it has
in flight when it stops is make-believe, so its server wakes at once when asked to stop and
drops its connections instead of draining them. Everything else is uvicorn's.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

import uvicorn

DATE_REFRESH_SECONDS = 1.0  # uvicorn refreshes its Date header once a second on its tick


class PromptStopServer(uvicorn.Server):
    """`uvicorn.Server` whose `request_stop()` ends `run()` without its polling delays."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_asked: asyncio.Event | None = None

    def request_stop(self) -> None:
        """Ask the serving thread to stop (from any thread); `run()` returns soon after."""
        self.should_exit = True
        loop, asked = self._loop, self._stop_asked
        if loop is not None and asked is not None:
            # A loop already closed means the server has stopped already.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(asked.set)

    async def main_loop(self) -> None:
        """Serve until asked to stop, keeping uvicorn's once-a-second Date header."""
        self._stop_asked = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        # A stop asked before the loop was known set only should_exit: checked every wake.
        while not await self.on_tick(0):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_asked.wait(), DATE_REFRESH_SECONDS)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop listening and close every connection at once (nothing waits on them)."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()  # closes an idle connection; one mid-request is cut
            connection.transport.close()
        for server in self.servers:
            await server.wait_closed()
