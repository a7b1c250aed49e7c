"""The server's request limits (fastapi_common/server.py), on a real service process on loopback:
oversized and too many headers get 431 without the memory they ask for, slow clients are cut off
within their bound, and past the concurrency bound a request gets 503. Without these limits four
32 MiB headers took the frontend from 67 MB to about 247 MB, and trickling clients stayed open."""

import asyncio
import re
import time
from pathlib import Path

import pytest

from conftest import LOOPBACK

HEAD_TIMEOUT = 2.0
BODY_TIMEOUT = 2.0
KEEP_ALIVE = 1
# How late past its bound a connection may close on a loaded two-core machine.
SLACK = 1.5
LIMITS = {
    "UVICORN_TIMEOUT_REQUEST_HEADERS": str(HEAD_TIMEOUT),
    "UVICORN_TIMEOUT_REQUEST_BODY": str(BODY_TIMEOUT),
    "UVICORN_TIMEOUT_KEEP_ALIVE": str(KEEP_ALIVE),
    "UVICORN_LIMIT_HEADER_BYTES": "16384",
    "UVICORN_LIMIT_HEADER_COUNT": "100",
}


@pytest.fixture
def frontend(services):
    # Its backend is unreachable: nothing here gets past the server to the app's downstream calls.
    return services.start("frontend", {"BACKEND_URL": "http://127.0.0.1:9", "BACKEND_API_KEY_FILE": "/nonexistent", **LIMITS})


def peak_rss_kib(pid: int) -> int:
    """The process's resident-memory high-water mark (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc status")


async def exchange(port: int, chunks: list[bytes], pause: float = 0.0, read_for: float = 10.0) -> tuple[bytes, float]:
    """Sends `chunks` (`pause` seconds apart) until the server ends its side, reading meanwhile.
    Returns what the server answered and the seconds from connecting to the end of its answer."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(LOOPBACK, port)
    answer = asyncio.ensure_future(reader.read())  # everything up to the server's end of stream
    try:
        for chunk in chunks:
            if answer.done():
                break
            try:
                writer.write(chunk)
                await writer.drain()
            except ConnectionError:
                break
            if pause:
                await asyncio.wait([answer], timeout=pause)
        try:
            received = await asyncio.wait_for(answer, read_for)
        except ConnectionError:
            received = b""
        return received, time.monotonic() - started
    finally:
        writer.close()


def status_of(answer: bytes) -> int | None:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None


def test_four_32_mib_headers_get_431_and_cost_no_memory_to_speak_of(frontend):
    with frontend.client() as http:
        assert http.get("/", headers={"X-Padding": "a" * 12_000}).status_code in (200, 503), "a 12 KiB header is allowed"
    before = peak_rss_kib(frontend.process.pid)
    huge = b"GET / HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * (32 << 20) + b"\r\n\r\n"
    chunks = [huge[i : i + (1 << 20)] for i in range(0, len(huge), 1 << 20)]

    async def attack() -> list[tuple[bytes, float]]:
        return await asyncio.gather(*(exchange(frontend.port, chunks) for _ in range(4)))

    answers = asyncio.run(attack())
    assert [status_of(answer) for answer, _ in answers] == [431] * 4, answers
    grown = peak_rss_kib(frontend.process.pid) - before
    assert grown < 16 * 1024, f"the peak grew by {grown} KiB under four 32 MiB headers"
    with frontend.client() as http:
        assert http.get("/livez").status_code == 200


def test_a_hundred_header_lines_pass_and_one_more_gets_431(frontend):
    def request(lines: int) -> bytes:
        extra = b"".join(b"X-Line-%d: y\r\n" % i for i in range(lines - 2))
        return b"GET /livez HTTP/1.1\r\nHost: x\r\n" + extra + b"Connection: close\r\n\r\n"

    allowed, _ = asyncio.run(exchange(frontend.port, [request(100)]))
    assert status_of(allowed) == 200, allowed[:200]
    refused, _ = asyncio.run(exchange(frontend.port, [request(101)]))
    assert status_of(refused) == 431 and b"too many request headers" in refused, refused[:200]


def test_fifty_clients_trickling_headers_are_cut_off_within_the_bound(frontend):
    trickle = [b"GET / HTTP/1.1\r\n"] + [b"X-Slow-%d: y\r\n" % i for i in range(40)]

    async def fifty() -> list[tuple[bytes, float]]:
        return await asyncio.gather(*(exchange(frontend.port, trickle, pause=0.25) for _ in range(50)))

    for answer, seconds in asyncio.run(fifty()):
        assert status_of(answer) == 408 and b"headers took too long" in answer, answer[:200]
        assert HEAD_TIMEOUT - 0.2 < seconds < HEAD_TIMEOUT + SLACK, f"closed after {seconds:.2f} s"


def test_fifty_bodies_at_one_byte_a_second_are_cut_off_within_the_bound(frontend):
    head = b"POST /notes HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
    trickle = [head] + [b"a"] * 100

    async def fifty() -> list[tuple[bytes, float]]:
        return await asyncio.gather(*(exchange(frontend.port, trickle, pause=1.0) for _ in range(50)))

    for answer, seconds in asyncio.run(fifty()):
        assert status_of(answer) == 408 and b"body took too long" in answer, answer[:200]
        assert BODY_TIMEOUT - 0.2 < seconds < BODY_TIMEOUT + 1.0 + SLACK, f"closed after {seconds:.2f} s"
    with frontend.client() as http:
        assert http.get("/livez").status_code == 200


def test_a_connection_that_sends_nothing_and_an_idle_keep_alive_one_are_closed(frontend):
    silent, seconds = asyncio.run(exchange(frontend.port, []))
    assert silent == b"" and HEAD_TIMEOUT - 0.2 < seconds < HEAD_TIMEOUT + SLACK, f"closed after {seconds:.2f} s"
    answer, seconds = asyncio.run(exchange(frontend.port, [b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"]))
    assert status_of(answer) == 200 and seconds < KEEP_ALIVE + SLACK, f"kept open {seconds:.2f} s after its answer"


def test_past_the_concurrency_bound_a_request_gets_503(services):
    service = services.start("frontend", {"BACKEND_URL": "http://127.0.0.1:9", "BACKEND_API_KEY_FILE": "/nonexistent", "UVICORN_LIMIT_CONCURRENCY": "4"})

    async def crowd() -> tuple[bytes, bytes]:
        held = [await asyncio.open_connection(LOOPBACK, service.port) for _ in range(4)]
        try:
            refused, _ = await exchange(service.port, [b"GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"])
        finally:
            for _, writer in held:
                writer.close()
        await asyncio.sleep(0.2)
        served, _ = await exchange(service.port, [b"GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"])
        return refused, served

    refused, served = asyncio.run(crowd())
    assert status_of(refused) == 503, refused[:200]
    assert status_of(served) == 200, served[:200]


def statuses(answer: bytes) -> list[int]:
    """The status of every response on a connection, in the order they arrived."""
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)]


LIVEZ = b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"


def test_on_a_kept_alive_connection_a_later_request_is_refused_after_the_earlier_answer(frontend):
    oversized = b"GET / HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 20_000 + b"\r\n\r\n"
    slow_body = b"POST /notes HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\nti"

    async def cases() -> list[tuple[bytes, float]]:
        return await asyncio.gather(
            exchange(frontend.port, [LIVEZ, b"GET / HTTP/1.1\r\n"] + [b"X-Slow-%d: y\r\n" % i for i in range(40)], pause=0.25),
            exchange(frontend.port, [LIVEZ + oversized]),  # pipelined: both heads in one write
            exchange(frontend.port, [LIVEZ + slow_body]),
        )

    trickled, pipelined, body = asyncio.run(cases())
    assert statuses(trickled[0]) == [200, 408] and trickled[0].endswith(b"the request headers took too long"), trickled[0][-300:]
    assert statuses(pipelined[0]) == [200, 431] and pipelined[0].endswith(b"request headers too large"), pipelined[0][-300:]
    assert statuses(body[0]) == [200, 408] and body[0].endswith(b"the request body took too long"), body[0][-300:]
