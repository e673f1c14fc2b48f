"""Worker processes for ``raikit serve --workers N``, each with its own listening socket.

uvicorn's ``--workers`` shares one listening socket between its processes, and whichever process
wakes first accepts every pending connection: 16 keep-alive clients that connect together were
measured landing 16/0 or 15/1 on two workers, so one core did the work and the other idled
(the guard API's throughput on 2 cores swung between about 155 and 360 checks/s from one run to
the next). Here each worker listens on its own socket bound to the same address with
``SO_REUSEPORT``, and the kernel spreads new connections over them by a hash of the client's
address and port.

The parent binds the sockets (so a port already in use fails before any worker starts, and port
0 resolves to one port for all of them), starts one spawned process per socket, restarts a worker
that dies (unless it failed before serving: a broken app or policy fails the same way every time,
so the parent stops) and stops them all on SIGINT or SIGTERM. Where ``SO_REUSEPORT`` does not
exist (Windows), :func:`serve_workers` returns False and the caller falls back to uvicorn's own
workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
from typing import Any

log = logging.getLogger("uvicorn.error")
STARTUP_FAILURE = 3
"""uvicorn's exit code for a worker that failed before serving."""


def reuse_port_sockets(host: str, port: int, count: int, backlog: int = 2048) -> list[socket.socket]:
    """``count`` listening sockets on ``(host, port)`` with ``SO_REUSEPORT`` (port 0: the port the
    first one gets). Raises OSError when the address cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]
            sock.listen(backlog)
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _serve_one(app: str, sock: socket.socket, log_level: str) -> None:
    """One worker: uvicorn serving the app factory ``app`` on its own socket."""
    import uvicorn

    config = uvicorn.Config(app, factory=True, log_level=log_level, access_log=True)
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(app: str, host: str, port: int, workers: int, log_level: str) -> bool:
    """Serve the app factory ``app`` (``module:function``) from ``workers`` processes until
    SIGINT or SIGTERM; False, having started nothing, where ``SO_REUSEPORT`` is unavailable."""
    if not hasattr(socket, "SO_REUSEPORT"):
        return False
    import uvicorn

    uvicorn.Config(app, log_level=log_level)  # configures uvicorn's logging here as in the workers
    sockets = reuse_port_sockets(host, port, workers)
    context = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def start(index: int) -> Any:
        process = context.Process(target=_serve_one, args=(app, sockets[index], log_level), daemon=False)
        process.start()
        return process

    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes = [start(i) for i in range(workers)]
    log.info("serving on %s:%d with %d worker processes", host, sockets[0].getsockname()[1], workers)
    try:
        while not stop.wait(0.5):
            for index, process in enumerate(processes):
                if process.is_alive():
                    continue
                process.join()
                if process.exitcode == STARTUP_FAILURE:
                    log.error("worker %s failed to start; stopping", process.pid)
                    stop.set()
                    break
                log.warning("worker %s exited with %s; starting another", process.pid, process.exitcode)
                processes[index] = start(index)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
        for sock in sockets:
            sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return True
