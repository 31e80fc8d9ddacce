"""Demo matrices for Oakridge and Glenfield, published through the service's own RPC as the
platform (`system_claims`). The texts are data (`matrices/<school>.json`): Oakridge's are its
policy's §17 tables exactly; Glenfield's policy has no matrix, so its file ticks the routes its
policy names (behaviour policy for pupils, disciplinary procedures for staff). A school whose
matrices are published already is left alone, so loading twice changes nothing.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from services.directory.demo import CALLER
from services.sanction.contracts import SERVICE
from services.sanction.domain.commands import PublishMatrix
from services.sanction.domain.events import MatrixAudience
from shared.errors import NotFound
from shared.rpc import RpcClient

log = logging.getLogger(__name__)

MATRICES = Path(__file__).resolve().parent / "matrices"
SCHOOLS = ("oakridge", "glenfield")


def policy(school_id: str) -> list[PublishMatrix]:
    """The school's matrices as commands to publish them."""
    data = json.loads((MATRICES / f"{school_id}.json").read_text(encoding="utf-8"))
    return [PublishMatrix(school_id=school_id, audience=MatrixAudience(audience),
                          window_days=data["window_days"], **body)
            for audience, body in data["matrices"].items()]


async def load_demo(rpc: RpcClient) -> None:
    for school_id in SCHOOLS:
        for cmd in policy(school_id):
            try:
                await rpc.call(SERVICE, "GetMatrix", {"school_id": school_id,
                                                      "audience": cmd.audience}, CALLER)
                log.info("%s's %s matrix is loaded already", school_id, cmd.audience.value)
                continue
            except NotFound:
                pass
            await rpc.call(SERVICE, "PublishMatrix", cmd, CALLER)
