"""Streamlit sessions without a browser, for the benchmark: each asks a running server for a page over its websocket,
as a browser tab does, and waits until the server has sent all of it; nothing is rendered, so what is timed is the
server's work.
"""
from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")


@dataclass(frozen=True)
class View:
    """One page view: when the server had sent it all (seconds from the start), how much it sent, and its errors."""

    seconds: float
    bytes_sent: int
    exceptions: tuple[str, ...]


def server_cpu_seconds(pid: int) -> float:
    """The server's user + system CPU time so far, from /proc (so the client's own work is not counted)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(pid: int, timeout: float = 600, window: float = 2.0, busy: float = 0.1) -> None:
    """Until the server has used under `busy` CPU seconds over `window` seconds (its warm-up done)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = server_cpu_seconds(pid)
        time.sleep(window)
        if server_cpu_seconds(pid) - before < busy:
            return


class Session:
    """One browser tab's connection to the server, asking for pages by their URL path and query string."""

    def __init__(self, base_url: str, cookies: dict[str, str] | None = None):
        self.stream = base_url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.origin = base_url
        self.cookies = cookies or {}
        self.connection = None

    async def __aenter__(self) -> "Session":
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else None
        self.connection = await websockets.connect(self.stream, subprotocols=["streamlit"], origin=self.origin,
                                                   additional_headers=headers, max_size=None, compression=None)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.connection.close()

    async def view(self, page: str, query_string: str = "", timeout: float = 120) -> View:
        """Run the page and wait for the server's script-finished message."""
        start = time.perf_counter()
        message = BackMsg()
        message.rerun_script.query_string = query_string
        message.rerun_script.page_name = page
        await self.connection.send(message.SerializeToString())
        sent, errors = 0, []
        async with asyncio.timeout(timeout):
            while True:
                raw = await self.connection.recv()
                sent += len(raw)
                forward = ForwardMsg()
                forward.ParseFromString(raw)
                kind = forward.WhichOneof("type")
                if kind == "delta" and forward.delta.new_element.WhichOneof("type") == "exception":
                    errors.append(forward.delta.new_element.exception.message[:200])
                elif kind == "script_finished" and forward.script_finished == FINISHED:
                    return View(time.perf_counter() - start, sent, tuple(errors))


async def _open_at_once(base_url: str, page: str, query_string: str, sessions: int, timeout: float,
                        cookies: dict[str, str] | None) -> list[View]:
    async def one() -> View:
        start = time.perf_counter()
        async with Session(base_url, cookies) as session:
            view = await session.view(page, query_string, timeout)
        return View(time.perf_counter() - start, view.bytes_sent, view.exceptions)

    return list(await asyncio.gather(*(one() for _ in range(sessions))))


def open_at_once(base_url: str, page: str, query_string: str = "", sessions: int = 1, timeout: float = 120,
                 cookies: dict[str, str] | None = None) -> list[View]:
    """N new sessions opening the same link together (a meeting clicking the shared link): each one's view."""
    return asyncio.run(_open_at_once(base_url, page, query_string, sessions, timeout, cookies))


async def _new_then_rerun(base_url: str, page: str, query_string: str, timeout: float, cookies: dict[str, str] | None,
                          server_pid: int) -> tuple[float, float]:
    async with Session(base_url, cookies) as session:
        start = server_cpu_seconds(server_pid)
        await session.view(page, query_string, timeout)
        between = server_cpu_seconds(server_pid)
        await session.view(page, query_string, timeout)
        return between - start, server_cpu_seconds(server_pid) - between


def new_then_rerun(base_url: str, page: str, server_pid: int, query_string: str = "", timeout: float = 120,
                   cookies: dict[str, str] | None = None) -> tuple[float, float]:
    """The server's CPU seconds for a page's first view in a new session, then for a rerun in the same session."""
    return asyncio.run(_new_then_rerun(base_url, page, query_string, timeout, cookies, server_pid))
