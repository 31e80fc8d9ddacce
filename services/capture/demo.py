"""Demo data for the capture service: the seed keyword library for Northshire and a few
sample captures for Oakridge and Glenfield. Loaded through the service's own RPC; idempotent
(adding the same phrases or re-sending the same captures changes nothing).

The supervisor calls `load_demo` after the directory's demo (the lead wires it in).
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.capture.contracts import SERVICE
from shared.claims import Claims, Role, Scope, system_claims
from shared.rpc import RpcClient

LA_ID = "la-northshire"
SEED = Path(__file__).resolve().parent / "seed_library.csv"
SAMPLES: dict[str, list[tuple[str, str, str, str]]] = {
    # school: (machine, username, trigger, excerpt)
    "oakridge": [
        ("OAK-ICT-04", "oak\\jturner", "nobody likes you", "nobody likes you so go away loser"),
        ("OAK-ICT-11", "oak\\gwalsh", "free spins", "claim 50 free spins today"),
        ("OAK-LIB-02", "oak\\emorgan", "want to disappear", "sometimes I want to disappear"),
    ],
    "glenfield": [
        ("GLN-PC-07", "gln\\cevans", "omegle", "how to get on omegle at school"),
        ("GLN-PC-03", "gln\\emurphy", "bring a knife", "tomorrow bring a knife to the park"),
        ("GLN-PC-09", "gln\\mprice", "call of duty", "call of duty tips"),
    ],
}


def seed_phrases(path: Path = SEED) -> list[dict[str, Any]]:
    with path.open(newline="") as f:
        return [{**row, "severity": int(row["severity"])} for row in csv.DictReader(f)]


def integrator(school_id: str) -> Claims:
    """The demo's stand-in for a monitoring product's API key."""
    return Claims(subject=f"demo-monitor-{school_id}", name="SafeWatch (demo)",
                  school_id=school_id, la_id=LA_ID, roles=frozenset({Role.INTEGRATOR}),
                  scopes=frozenset({Scope.CAPTURES_WRITE}))


async def load_demo(rpc: RpcClient, now: datetime | None = None) -> int:
    """Returns how many phrases the library holds."""
    done = await rpc.call(SERVICE, "AddLibraryPhrases", {"phrases": seed_phrases()},
                          system_claims(LA_ID))
    start = (now or datetime.now(UTC)) - timedelta(hours=3)
    for school_id, samples in SAMPLES.items():
        captures = [{"product": "SafeWatch", "product_capture_id": f"demo-{school_id}-{i}",
                     "captured_at": (start + timedelta(minutes=17 * i)).isoformat(),
                     "machine": machine, "username": user, "trigger": trigger,
                     "excerpt": excerpt, "url": "https://search.example/?q=demo"}
                    for i, (machine, user, trigger, excerpt) in enumerate(samples)]
        await rpc.call(SERVICE, "IngestCaptures",
                       {"school_id": school_id, "captures": captures}, integrator(school_id))
    return int(done["phrases"])
