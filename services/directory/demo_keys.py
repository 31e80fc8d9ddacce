"""One integrator API key per demo school, so an integrator can try the roster and capture
endpoints at once. Generated on the first run and kept (0600) in the data folder, like the
demo logins; a key that no longer verifies (revoked, data wiped) is replaced."""

from __future__ import annotations

import json
from pathlib import Path

from services.directory.contracts import SERVICE
from services.directory.demo import CALLER, SCHOOLS, write_private
from services.directory.integrations.contracts import IssueKey
from shared.claims import Scope
from shared.errors import Unauthenticated
from shared.rpc import RpcClient

KEYS_FILE = "demo-integrator-keys.json"
KEY_NAME = "Demo MIS and monitoring feed"
SCOPES = frozenset({Scope.ROSTER_WRITE, Scope.CAPTURES_WRITE, Scope.FILTERING_WRITE})


async def load_demo_keys(rpc: RpcClient, data_dir: Path) -> dict[str, str]:
    """school id -> a working API key with the roster, capture and filtering scopes."""
    path = data_dir / KEYS_FILE
    keys: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    for school in SCHOOLS:
        known = keys.get(school.school_id)
        if known and await _works(rpc, known, school.school_id):
            continue
        issued = await rpc.call(SERVICE, "IssueApiKey", IssueKey(
            school_id=school.school_id, name=KEY_NAME,
            scopes=SCOPES), CALLER)
        keys[school.school_id] = issued["secret"]
        write_private(path, keys)  # at once: the secret is shown only this one time
    return {s.school_id: keys[s.school_id] for s in SCHOOLS}


async def _works(rpc: RpcClient, key: str, school_id: str) -> bool:
    try:
        verified = await rpc.call(SERVICE, "VerifyApiKey", {"key": key}, None)
    except Unauthenticated:
        return False
    # A key from an earlier run without a scope added since is replaced.
    claims = verified["claims"]
    return bool(claims["school_id"] == school_id and SCOPES <= set(claims["scopes"]))
