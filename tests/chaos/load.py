"""Mixed load through the services' real entry points (their RPCs, as the gateway and the
ingest API call them): captures, claims and gradings, incidents reported, people enrolled and
their agreement signatures.

A call that fails because its service or the broker is down is retried until it is answered;
what counts as *sent* is only what an entry point acknowledged (including a retry whose answer
says an earlier, unanswered attempt took effect: a capture reported as a duplicate, a person
already enrolled, a capture already graded).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable, Collection, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.claims import Claims, Role, Scope, system_claims
from shared.errors import DomainError
from shared.rpc import RpcClient

LA = "chaosshire"
SCHOOLS = ("chaos-a", "chaos-b", "chaos-c", "chaos-d")
SYSTEM = system_claims(LA)
MODERATOR = Claims(subject="chaos-mod", school_id=LA, la_id=LA,
                   roles=frozenset({Role.LA_MODERATOR}))
GRADES = ("false_positive", "false_positive", "no_further_action", "concern", "violation",
          "urgent_child_protection")
TRANSIENT = {"unavailable", "internal", "conflict"}
WORDS = ("blue", "river", "quiet", "lamp", "orbit", "pencil", "maple", "stone", "hurt myself",
         "fight after school", "send me pics", "knife", "bet", "vpn")


def integrator(school: str) -> Claims:
    return Claims(subject=f"{school}-key", school_id=school, la_id=LA,
                  roles=frozenset({Role.INTEGRATOR}), scopes=frozenset({Scope.CAPTURES_WRITE}))


def member(school: str, person_id: str, *roles: Role) -> Claims:
    return Claims(subject=person_id, school_id=school, la_id=LA, roles=frozenset(roles))


@dataclass
class Sent:
    """What the entry points acknowledged, by kind, with the ids to look for afterwards."""

    captures: dict[str, str] = field(default_factory=dict)  # capture id -> school
    claims: int = 0
    grades: dict[str, str] = field(default_factory=dict)  # capture id -> grade
    incidents: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    signatures: set[str] = field(default_factory=set)  # person ids
    retries: int = 0
    rejected: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return (len(self.captures) + self.claims + len(self.grades) + len(self.incidents)
                + len(self.people) + len(self.signatures))


@dataclass
class Plan:
    """How many of each kind: `items` entry-point items in the mix of the issue."""

    items: int

    def share(self, fraction: float) -> int:
        return max(1, int(self.items * fraction))

    @property
    def people(self) -> int:  # each is enrolled, then signs: two items
        return self.share(0.04)

    @property
    def incidents(self) -> int:
        return self.share(0.04)

    @property
    def gradings(self) -> int:  # a claim and a grade: two items
        return self.share(0.06)

    @property
    def captures(self) -> int:
        return max(1, self.items - 2 * self.people - self.incidents - 2 * self.gradings)


class Load:
    def __init__(self, rpc: RpcClient, plan: Plan, seed: int = 7,
                 give_up_after: float = 900.0, workers: int = 4) -> None:
        self.rpc, self.plan, self.rng = rpc, plan, random.Random(seed)
        # Calls in flight per kind: one at a time, a loaded service's reply time adds up.
        self.workers = workers
        self.sent = Sent()
        self.give_up_after = give_up_after
        self.at = datetime.now(UTC)
        self._gradable: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._enrolled: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self.progress: Callable[[int], None] = lambda _: None

    async def call(self, service: str, name: str, body: dict[str, Any], caller: Claims,
                   retry_also: Callable[[DomainError], bool] = lambda _: False) -> Any:
        """Call until answered; transient failures (service or broker away) are retried.
        Raises the DomainError of a definite answer."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.give_up_after
        while True:
            try:
                return await self.rpc.call(service, name, body, caller)
            except DomainError as exc:
                if (exc.code not in TRANSIENT and not retry_also(exc)) \
                        or loop.time() > deadline:
                    raise
                self.sent.retries += 1
                await asyncio.sleep(0.5)

    async def setup(self, services: Collection[str]) -> None:
        """The LA, its schools and their staff agreement (before any fault)."""
        await self._ok("directory", "EstablishAuthority", {"la_id": LA, "name": "Chaosshire"},
                       SYSTEM)
        for i, school in enumerate(SCHOOLS):
            await self._ok("directory", "OnboardSchool", {
                "school_id": school, "la_id": LA, "name": school, "urn": f"90000{i}",
                "phase": "primary"}, SYSTEM)
            if "agreement" not in services:
                continue
            tid = f"{school}.staff"
            await self._ok("agreement", "CreateTemplate", {
                "school_id": school, "audience": "staff", "title": "Staff AUP"}, SYSTEM)
            await self._ok("agreement", "PublishVersion", {
                "school_id": school, "template_id": tid, "text": "# Rules",
                "effective_from": str(date.today() - timedelta(days=30))}, SYSTEM)

    async def _ok(self, service: str, name: str, body: dict[str, Any], caller: Claims) -> None:
        """A set-up step that may already have been done by an unanswered attempt."""
        try:
            await self.call(service, name, body, caller)
        except DomainError as exc:
            if exc.code != "already_exists":
                raise

    async def run(self, services: Collection[str]) -> Sent:
        """Send the kinds whose services run (a call to an absent one would never answer)."""
        w = self.workers
        streams: list[Coroutine[Any, Any, None]] = []
        if "capture" in services:
            streams += [self._captures(k, w) for k in range(w)]
            streams += [self._grader() for _ in range(w)]
        if "directory" in services:
            streams += [self._people(k, w) for k in range(w)]
            if "agreement" in services:
                streams += [self._signer() for _ in range(w)]
        if "incident" in services:
            streams += [self._incidents(k, w) for k in range(w)]
        await asyncio.gather(*streams)
        return self.sent

    def _tick(self) -> None:
        self.progress(self.sent.total)

    async def _captures(self, worker: int, workers: int, batch: int = 200) -> None:
        n = self.plan.captures
        for start in range(worker * batch, n, workers * batch):
            school = SCHOOLS[(start // batch) % len(SCHOOLS)]
            items = [self._capture(i) for i in range(start, min(n, start + batch))]
            try:
                done = await self.call("capture", "IngestCaptures",
                                       {"school_id": school, "captures": items},
                                       integrator(school))
            except DomainError as exc:
                self.sent.rejected[f"IngestCaptures: {exc.message}"] += len(items)
                continue
            for result in done["results"]:
                if result["status"] in ("accepted", "duplicate"):  # a duplicate: stored before
                    self.sent.captures[result["capture_id"]] = school
                    if self.rng.random() < 2.2 * self.plan.gradings / n:
                        self._gradable.put_nowait((school, result["capture_id"]))
                else:
                    self.sent.rejected[f"capture: {result['reason']}"] += 1
            self._tick()
        self._gradable.put_nowait(("", ""))  # one per worker: each grader stops at one

    def _capture(self, i: int) -> dict[str, Any]:
        words = [self.rng.choice(WORDS) for _ in range(12)]
        return {"product": "ChaosWatch", "product_capture_id": f"c-{i}", "machine": "PC-01",
                "captured_at": (self.at - timedelta(seconds=i)).isoformat(),
                "username": f"pupil{i % 97}", "trigger": words[0],
                "excerpt": " ".join(words), "url": "https://example.org/x"}

    async def _grader(self) -> None:
        while len(self.sent.grades) < self.plan.gradings:
            school, cid = await self._gradable.get()
            if not cid:
                return
            ref = {"school_id": school, "capture_id": cid}
            grade = GRADES[len(self.sent.grades) % len(GRADES)]
            try:
                # The reply reads the queue, which may lag the claim it just stored.
                await self.call("capture", "ClaimCapture", ref, MODERATOR,
                                retry_also=lambda e: e.code == "not_found")
                self.sent.claims += 1
                await self.call("capture", "GradeCapture",
                                {**ref, "grade": grade, "notes": "chaos"}, MODERATOR)
            except DomainError as exc:
                if "already graded" not in exc.message:
                    self.sent.rejected[f"grading: {exc.message}"] += 1
                    continue
            self.sent.grades[cid] = grade
            self._tick()

    async def _people(self, worker: int, workers: int) -> None:
        for i in range(worker, self.plan.people, workers):
            school, pid = SCHOOLS[i % len(SCHOOLS)], f"staff-{i}"
            try:
                await self.call("directory", "EnrolPerson", {
                    "school_id": school, "person_id": pid, "kind": "staff",
                    "given_name": "Chaos", "family_name": f"Staff {i}"}, SYSTEM)
            except DomainError as exc:
                if exc.code != "already_exists":
                    self.sent.rejected[f"EnrolPerson: {exc.message}"] += 1
                    continue
            self.sent.people.add(pid)
            self._enrolled.put_nowait((school, pid))
            self._tick()
        self._enrolled.put_nowait(("", ""))  # the last of these comes after every person

    async def _signer(self) -> None:
        while True:
            school, pid = await self._enrolled.get()
            if not pid:
                return
            try:
                # "No such person" until the agreement service's view of the directory has them.
                await self.call("agreement", "SignAgreement", {
                    "school_id": school, "person_id": pid, "template_id": f"{school}.staff",
                    "version": 1}, member(school, pid),
                    retry_also=lambda e: e.code == "not_found")
            except DomainError as exc:
                self.sent.rejected[f"SignAgreement: {exc.message}"] += 1
                continue
            self.sent.signatures.add(pid)
            self._tick()

    async def _incidents(self, worker: int, workers: int) -> None:
        for i in range(worker, self.plan.incidents, workers):
            school = SCHOOLS[i % len(SCHOOLS)]
            try:
                done = await self.call("incident", "ReportIncident", {
                    "school_id": school, "occurred_at": self.at.isoformat(),
                    "description": f"chaos incident {i}", "came_to_light": "staff"},
                    member(school, f"teacher-{school}", Role.TEACHER))
            except DomainError as exc:
                self.sent.rejected[f"ReportIncident: {exc.message}"] += 1
                continue
            self.sent.incidents.add(done["incident_id"])
            self._tick()
