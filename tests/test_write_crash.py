"""A server under write load, killed with SIGKILL at random moments, loses nothing it acknowledged.

Each cycle starts one real uvicorn worker on the database, runs writer threads that PATCH term
statements (text and source together) and POST new key tasks, each with a unique marker text,
and kills the server with SIGKILL after a random 0.2-1.5 s. After the restart:

- every write answered 2xx is in the history exactly once, and nothing else is but the write
  each thread had in flight at the kill (no answer: either outcome is allowed);
- every record is whole: exactly the state of its last applied write (text with its own
  quote, a created task with its citation) or, for an unapplied create, absent; the search
  index agrees; the dataset revision and the history's `total` count exactly the applied writes;
- `congress-api verify`, run as its own process, passes.

Each thread owns its records, so nothing but the kill can fail a write: any other answer than
2xx, or a dropped connection before the kill, fails the test. `CRASH_SEED=n` replays a
run's random choices (kill moments, creates or patches; the threads' timing differs).
"""

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from app.config import PROJECT_ROOT
from tests.test_caching import committed_database
from tests.test_write_concurrency import MERGE_PATCH, changes_since, create_token, dataset_revision

KILLS = 20
WRITERS = 4
CREATE_SHARE = 0.3  # of the writes; the others patch
KILL_AFTER = (0.2, 1.5)  # seconds of load before the SIGKILL
TOKEN_NAME = "crash-test"
DOCUMENT = "ttxvn-bac-giang-xay-dung-dang"
TERM = "bac-giang-2025-2030"
# Phrases that occur once in the document: a patched record cites one of them at random, so
# that a text without its own quote (a half-applied write) shows.
QUOTES = ("Tỉnh ủy Bắc Giang tổ chức hội nghị", "Ban Thường vụ Tỉnh ủy Bắc Giang đã xem xét")
PATCHED = ("tasks", "solutions", "achievements", "limitations")
SUBJECTS = {"tasks": "key_task", "solutions": "solution"}
SUBJECTS |= {"achievements": "achievement", "limitations": "limitation"}
START_SECONDS = 60.0
PORTS = (20000, 32000)  # below Linux's ephemeral range (32768-60999)
ANSWER_SECONDS = 30.0  # longer than any write may take; a stalled server fails the test

# A record as the checks compare it: its term, its text and its sources (quote, start, end).
Shape = tuple[str, str, tuple[tuple[str, int, int], ...]]


@dataclass
class Attempt:
    """One write a thread sent; `status` None when no answer came (in flight at the kill)."""

    operation: str  # "create" or "update", as the history names it
    collection: str
    record_id: str
    text: str
    quote: str
    status: int | None = None
    answer: str = ""
    error: str = ""
    failed_at: float = 0.0  # monotonic time of a transport error

    @property
    def path(self) -> str:
        return f"/api/v1/{self.collection}/{self.record_id}"


@dataclass
class Cycle:
    number: int
    attempts: list[Attempt] = field(default_factory=list)
    killed_at: float = 0.0


# --- the server, started and killed ---------------------------------------------------------


def _unused_port() -> int:
    """A free port below the ephemeral range, where no client connection (nor another test's
    `_free_port`) takes it in the seconds before the server binds it."""
    while True:
        port = random.randrange(*PORTS)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def start_server(database_url: str) -> tuple[subprocess.Popen[bytes], str]:
    """One uvicorn worker in a process of its own (`serving` stops its server gracefully; this
    one is killed). Should the port be taken after all, the server exits and another is tried."""
    for _attempt in range(3):
        port = _unused_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=PROJECT_ROOT,
            env={**os.environ, "DATABASE_URL": database_url},
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            # A bare connect first: an HTTP client per try (its TLS context) costs more CPU
            # than the server's start on a busy 2-core machine.
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                answered = httpx.get(f"{base}/healthz", timeout=5).status_code == 200
                if answered and process.poll() is None:  # ours, not one gone since
                    return process, base
            except (OSError, httpx.TransportError):
                pass
            time.sleep(0.05)
        if process.poll() is None:
            process.kill()
            process.wait()
            raise RuntimeError(f"the server did not answer within {START_SECONDS:g} s")
    raise RuntimeError(f"the server did not start (exit code {process.returncode})")


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def start_verify(database_url: str) -> subprocess.Popen[str]:
    """`congress-api verify` in its own process, as an operator runs it."""
    return subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "verify"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


# --- the load ---------------------------------------------------------------------------------


def _marker(cycle: int, writer: int, n: int) -> str:
    # Whole words for the search: `cycle7` finds exactly the texts this cycle wrote.
    return f"Crash test cycle{cycle} writer{writer} write{n}"


def write_until_killed(
    base: str, token: str, cycle: Cycle, writer: int, owned: list[str], rng: random.Random
) -> None:
    """Writes one request at a time until the server goes away; logs every attempt."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=ANSWER_SECONDS) as client:
        for n in range(1, 1_000_000):
            text = _marker(cycle.number, writer, n)
            quote = rng.choice(QUOTES)
            source = {"document": DOCUMENT, "quote": quote}
            if rng.random() < CREATE_SHARE:
                record_id = f"crash-{cycle.number}-{writer}-{n}"
                attempt = Attempt("create", "tasks", record_id, text, quote)
                request: dict[str, Any] = {
                    "method": "POST",
                    "url": "/api/v1/tasks",
                    "json": {"id": record_id, "term_id": TERM, "text": text, "sources": [source]},
                }
            else:
                collection, record_id = owned[n % len(owned)].split("/")
                attempt = Attempt("update", collection, record_id, text, quote)
                try:
                    read = client.get(attempt.path)
                except httpx.TransportError:
                    return
                if read.status_code != 200:
                    attempt.status, attempt.answer = read.status_code, f"GET: {read.text}"
                    cycle.attempts.append(attempt)
                    return
                etag = read.headers["etag"]
                request = {
                    "method": "PATCH",
                    "url": attempt.path,
                    "json": {"text": text, "sources": [source]},
                    "headers": {"If-Match": etag, "Content-Type": MERGE_PATCH},
                }
            cycle.attempts.append(attempt)
            try:
                response = client.request(**request)
            except httpx.TransportError as exc:
                attempt.error = repr(exc)
                attempt.failed_at = time.monotonic()
                return
            attempt.status = response.status_code
            if not response.is_success:
                attempt.answer = response.text
                return


def load_and_kill(
    process: subprocess.Popen[bytes],
    base: str,
    token: str,
    cycle: Cycle,
    owned: list[list[str]],
    rng: random.Random,
) -> None:
    threads = [
        threading.Thread(
            target=write_until_killed,
            args=(base, token, cycle, writer, owned[writer], random.Random(rng.random())),
        )
        for writer in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    time.sleep(rng.uniform(*KILL_AFTER))
    cycle.killed_at = time.monotonic()
    kill(process)
    for thread in threads:
        thread.join(ANSWER_SECONDS + 10)
    assert not any(thread.is_alive() for thread in threads), "a writer outlived the server"


# --- what the database holds ------------------------------------------------------------------


def _shape(record: dict[str, Any]) -> Shape:
    sources = tuple((s["quote"], s["start"], s["end"]) for s in record["sources"])
    return record["term_id"], record["text"], sources


def records(client: httpx.Client) -> dict[str, Shape]:
    """Every record the writes touch, as `collection/id` -> shape, through the paged lists."""
    found: dict[str, Shape] = {}
    for collection in PATCHED:
        offset = 0
        while True:
            response = client.get(f"/api/v1/{collection}", params={"limit": 500, "offset": offset})
            assert response.status_code == 200, response.text
            page = response.json()
            found |= {f"{collection}/{item['id']}": _shape(item) for item in page["items"]}
            offset += len(page["items"])
            if offset >= page["total"] or not page["items"]:
                break
    return found


def search_hits(client: httpx.Client, word: str) -> set[str]:
    params: list[tuple[str, str | int | float | bool | None]] = [("q", word), ("limit", 500)]
    params += [("type", subject) for subject in SUBJECTS.values()]
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == 200, response.text
    by_subject = {subject: collection for collection, subject in SUBJECTS.items()}
    return {f"{by_subject[hit['kind']]}/{hit['id']}" for hit in response.json()["items"]}


class Expected:
    """What the database must hold: the seed's records and every write known to be applied."""

    def __init__(self, client: httpx.Client, spans: dict[str, tuple[int, int]]) -> None:
        self.spans = spans
        self.records = records(client)
        self.revision = dataset_revision(client)
        self.total = client.get("/api/v1/changes", params={"limit": 1}).json()["total"]
        self.applied = 0
        self.acknowledged = 0
        self.in_flight_applied = 0
        self.in_flight_lost = 0

    def shape(self, attempt: Attempt) -> Shape:
        """The record as the attempt leaves it: a create, whole as sent; a patch, its text and
        source over the record's other fields."""
        name = f"{attempt.collection}/{attempt.record_id}"
        term = TERM if attempt.operation == "create" else self.records[name][0]
        start, end = self.spans[attempt.quote]
        return term, attempt.text, ((attempt.quote, start, end),)

    def check(self, client: httpx.Client, cycle: Cycle) -> None:
        """After the restart: the history, the records and the index hold the cycle's writes
        that were applied, whole, and nothing else."""
        where = f"cycle {cycle.number}"
        for attempt in cycle.attempts:
            assert attempt.status is None or 200 <= attempt.status < 300, (
                f"{where}: {attempt.operation} {attempt.path} answered {attempt.status}: "
                f"{attempt.answer}"
            )
            assert attempt.status is not None or attempt.failed_at >= cycle.killed_at, (
                f"{where}: {attempt.path} lost its connection before the kill: {attempt.error}"
            )
        by_text = {attempt.text: attempt for attempt in cycle.attempts}
        changes = changes_since(client, self.revision)
        applied: list[Attempt] = []
        for change in changes:
            made = by_text.get((change["after"] or {}).get("text", ""))
            assert made is not None, f"{where}: a change no thread made: {change}"
            assert (change["operation"], change["record_id"], change["actor"]) == (
                made.operation,
                made.record_id,
                TOKEN_NAME,
            ), f"{where}: {change} is not {made}"
            applied.append(made)
        assert [c["revision"] for c in changes] == list(
            range(self.revision + 1, self.revision + len(changes) + 1)
        ), f"{where}: one revision per write, in order"
        assert len({id(a) for a in applied}) == len(applied), f"{where}: a write applied twice"
        acknowledged = [a for a in cycle.attempts if a.status is not None]
        missing = [a.path for a in acknowledged if a not in applied]
        assert not missing, f"{where}: acknowledged writes lost: {missing}"
        in_flight = [a for a in cycle.attempts if a.status is None]
        assert len(in_flight) <= WRITERS

        for attempt in applied:
            self.records[f"{attempt.collection}/{attempt.record_id}"] = self.shape(attempt)
        self.revision += len(applied)
        self.total += len(applied)
        self.applied += len(applied)
        self.acknowledged += len(acknowledged)
        self.in_flight_applied += sum(1 for a in in_flight if a in applied)
        self.in_flight_lost += sum(1 for a in in_flight if a not in applied)

        assert records(client) == self.records, f"{where}: the records are not the writes"
        for attempt in in_flight:
            if attempt.operation == "create" and attempt not in applied:
                assert client.get(attempt.path).status_code == 404, f"{where}: {attempt.path}"
        assert dataset_revision(client) == self.revision, where
        total = client.get("/api/v1/changes", params={"limit": 1}).json()["total"]
        assert total == self.total, f"{where}: the history has {total} changes"
        word = f"cycle{cycle.number}"
        wrote = {name for name, (_, text, _) in self.records.items() if f" {word} " in text}
        assert search_hits(client, word) == wrote, f"{where}: the search index differs"


# --- the test ---------------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Any) -> Iterator[str]:
    with committed_database(tmp_path) as url:
        yield url


def _spans(client: httpx.Client) -> dict[str, tuple[int, int]]:
    text = client.get(f"/api/v1/documents/{DOCUMENT}/text").text
    spans = {}
    for quote in QUOTES:
        start = text.index(quote)
        assert text.find(quote, start + 1) == -1, quote
        spans[quote] = (start, start + len(quote))
    return spans


def _owned(client: httpx.Client) -> list[list[str]]:
    names = sorted(records(client))
    return [names[writer::WRITERS] for writer in range(WRITERS)]


def test_sigkill_under_write_load_loses_no_acknowledged_write(database: str) -> None:
    seed = int(os.environ.get("CRASH_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    token = create_token(database, TOKEN_NAME)
    process, base = start_server(database)
    with httpx.Client(base_url=base, timeout=ANSWER_SECONDS) as client:
        expected = Expected(client, _spans(client))
        owned = _owned(client)
    verified = ""
    verifying: subprocess.Popen[str] | None = None
    spent = dict.fromkeys(("load", "restart", "checks", "verify"), 0.0)
    clock = time.monotonic()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.monotonic()
        spent[phase] += now - clock
        clock = now

    try:
        for number in range(1, KILLS + 1):
            cycle = Cycle(number)
            load_and_kill(process, base, token, cycle, owned, rng)
            lap("load")
            verifying = start_verify(database)  # on the state the kill left, beside the restart
            process, base = start_server(database)
            lap("restart")
            with httpx.Client(base_url=base, timeout=ANSWER_SECONDS) as client:
                expected.check(client, cycle)
            lap("checks")
            verified, _ = verifying.communicate(timeout=120)
            lap("verify")
            assert verifying.returncode == 0, f"cycle {number}: {verified}"
    except AssertionError as exc:
        raise AssertionError(f"CRASH_SEED={seed}: {exc}") from None
    finally:
        process.kill()
        process.wait()
        if verifying is not None and verifying.poll() is None:
            verifying.kill()
            verifying.communicate()
    print(
        f"\n{KILLS} kills (CRASH_SEED={seed}): {expected.acknowledged} writes acknowledged, "
        f"{expected.applied} applied; in flight at a kill: {expected.in_flight_applied} "
        f"applied, {expected.in_flight_lost} not; last {verified.strip()!r}; seconds spent: "
        + ", ".join(f"{phase} {seconds:.0f}" for phase, seconds in spent.items())
    )
    assert expected.acknowledged >= KILLS, "too little load to test anything"
