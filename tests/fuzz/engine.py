"""Send generated requests and judge each answer: accepted, rejected with a typed error, or a
server error (HTTP 5xx, a GraphQL error without a typed `extensions.code` or with "internal",
an untyped rejection). Every request carries its own W3C trace id, so that events stored on
its behalf (the services record the trace in each event) can be found afterwards: a rejected
request must have written none."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.fuzz.live import RunningPlatform

REQUEST_TIMEOUT = 120.0  # a busy machine is slow, never wrong: no timing is judged here
WORKERS = 4  # requests in flight: the services answer some while others wait on I/O
QUIET_FOR, QUIET_WITHIN = 3.0, 120.0  # reactions to the last requests settle before checking


@dataclass(frozen=True)
class Failure:
    target: str
    auth: str
    why: str
    request: str
    response: str

    def __str__(self) -> str:
        return (f"{self.target} as {self.auth}: {self.why}\n  request: {self.request[:600]}\n"
                f"  response: {self.response[:600]}")


@dataclass
class Tally:
    cases: Counter[str] = field(default_factory=Counter)  # per operation or endpoint
    outcomes: Counter[str] = field(default_factory=Counter)  # accepted / rejected / partial
    codes: Counter[str] = field(default_factory=Counter)  # rejections by error code
    callers: Counter[tuple[str, str]] = field(default_factory=Counter)  # (caller, outcome)
    failures: list[Failure] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)  # trace id -> target

    @property
    def total(self) -> int:
        return sum(self.cases.values())

    def summary(self, extra: list[str] | None = None) -> str:
        width = max((len(t) for t in self.cases), default=10)
        lines = [f"{'cases per operation':<{width}}  cases"]
        lines += [f"{t:<{width}}  {n:>5}" for t, n in sorted(self.cases.items())]
        lines += ["", f"total cases: {self.total}",
                  "outcomes: " + ", ".join(f"{k} {v}" for k, v in self.outcomes.most_common()),
                  "rejections by error code: "
                  + ", ".join(f"{k} {v}" for k, v in self.codes.most_common()),
                  "by caller: " + ", ".join(f"{a} {o} {n}" for (a, o), n in
                                            sorted(self.callers.items())),
                  f"server errors: {len(self.failures)}", *(extra or [])]
        lines += [str(f) for f in self.failures[:20]]
        return "\n".join(lines)


Verdict = tuple[str, list[str], str]  # outcome, error codes, why it is a server error
Judge = Callable[[httpx.Response], Verdict]


class Fuzzer:
    """One client for the platform; `send` records every answer in `tally`. Up to `workers`
    requests are in flight while hypothesis generates the next ones (`wait` for them all)."""

    def __init__(self, platform: RunningPlatform, progress: bool = False,
                 workers: int = WORKERS) -> None:
        self.platform, self.progress = platform, progress
        self.http = httpx.Client(base_url=platform.url, timeout=REQUEST_TIMEOUT,
                                 limits=httpx.Limits(max_connections=workers))
        self.tally = Tally()
        self.marks = platform.positions()
        self.log_marks = platform.log_marks()
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="fuzz")
        self._slots = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()
        self._pending: list[Future[None]] = []

    def close(self) -> None:
        self._pool.shutdown()
        self.http.close()

    def send(self, target: str, auth: str, headers: dict[str, str], judge: Judge,
             **request: Any) -> None:
        self._slots.acquire()
        try:
            self._pending.append(self._pool.submit(self._send, target, auth, headers, judge,
                                                   request))
        except BaseException:
            self._slots.release()
            raise

    def wait(self) -> None:
        """Until every request sent has its answer (and re-raise what went wrong here)."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def _send(self, target: str, auth: str, headers: dict[str, str], judge: Judge,
              request: dict[str, Any]) -> None:
        try:
            trace = secrets.token_hex(16)
            headers = {**headers, "traceparent": f"00-{trace}-{secrets.token_hex(8)}-01"}
            try:
                resp = self.http.request(request.pop("method", "POST"), request.pop("url"),
                                         headers=headers, **request)
            except httpx.TransportError as exc:  # the server dropped the connection: a crash
                verdict: Verdict = ("server error", [], f"no answer: {exc!r}")
                answer = ""
            else:
                verdict, answer = judge(resp), resp.text
            with self._lock:
                self._record(target, auth, trace, verdict, answer, request)
        finally:
            self._slots.release()

    def _record(self, target: str, auth: str, trace: str, verdict: Verdict, answer: str,
                request: dict[str, Any]) -> None:
        outcome, codes, why = verdict
        self.tally.cases[target] += 1
        if self.progress and self.tally.total % 1000 == 0:
            print(f"  {self.tally.total} cases ({target})", flush=True)
        self.tally.outcomes[outcome] += 1
        self.tally.callers[auth, outcome] += 1
        self.tally.codes.update(codes)
        if outcome == "server error":
            shown = request.get("json") or request.get("content") or request.get("files") or ""
            self.tally.failures.append(Failure(target, auth, why, _text(shown), answer))
        elif outcome == "rejected":
            self.tally.rejected[trace] = target

    def written_by_rejected(self) -> list[str]:
        """Events stored on behalf of a rejected request (must be none), once the platform is
        quiet: reactions in other services carry the same trace."""
        self.wait()
        self._settle()
        return [f"{service} stored {kind} for a rejected {self.tally.rejected[trace]} request"
                for service, kind, trace in self.platform.events_since(self.marks)
                if trace in self.tally.rejected]

    def _settle(self) -> None:
        deadline = time.monotonic() + QUIET_WITHIN
        last = self.platform.positions()
        while time.monotonic() < deadline:
            time.sleep(QUIET_FOR)
            now = self.platform.positions()
            if now == last:
                return
            last = now

    def log_failures(self) -> list[str]:
        return self.platform.log_failures(self.log_marks)


def _answered(check: Callable[[int, Any], Verdict]) -> Judge:
    """A judge of JSON answers: a 5xx, or an answer that is no JSON, is a server error."""
    def judge(resp: httpx.Response) -> Verdict:
        if resp.status_code >= 500:
            return "server error", [], f"HTTP {resp.status_code}"
        try:
            body = resp.json()
        except ValueError:
            return "server error", [], f"HTTP {resp.status_code} without a JSON body"
        return check(resp.status_code, body)

    return judge


@_answered
def judge_graphql(status: int, body: Any) -> Verdict:
    errors = body.get("errors") or []
    codes = [str((e.get("extensions") or {}).get("code") or "") for e in errors]
    if not all(codes):
        return "server error", [], "a GraphQL error without extensions.code"
    if "internal" in codes:
        return "server error", [], "a GraphQL error coded internal"
    if not errors:
        return "accepted", [], ""
    data = body.get("data") or {}
    if any(v is not None for v in data.values()):
        return "partial", codes, ""
    return "rejected", codes, ""


@_answered
def judge_http(status: int, body: Any) -> Verdict:
    """The plain HTTP APIs: `{"error": {code, message}}` with a 4xx, or a report."""
    if status >= 400:
        error = body.get("error") if isinstance(body, dict) else None
        if not (isinstance(error, dict) and error.get("code") and error.get("message")):
            return "server error", [], f"HTTP {status} without a typed error"
        return "rejected", [error["code"]], ""
    if "results" in body:  # capture ingest: per item accepted, duplicate or rejected
        results = body["results"]
        if any(r["status"] == "rejected" and not r.get("reason") for r in results):
            return "server error", [], "an item rejected without a reason"
        if body["accepted"] + body["duplicates"] == 0:
            return "rejected", ["item rejected"] * body["rejected"], ""
        return ("partial" if body["rejected"] else "accepted"), [], ""
    if "mode" in body:  # a roster sync's change report
        rows = body["rejected"]
        if any(not r.get("reason") for r in rows):
            return "server error", [], "a row rejected without a reason"
        changed = any(body[k] for k in CHANGES)
        if rows:
            return ("partial" if changed else "rejected"), ["row rejected"] * len(rows), ""
    return "accepted", [], ""


CHANGES = ("created", "updated", "left", "classes_recorded", "classes_closed")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return repr(value[:600])
    return value if isinstance(value, str) else json.dumps(value, default=str)
