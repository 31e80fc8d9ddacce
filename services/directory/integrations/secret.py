"""Key secrets: `esk_<key id>_<random>`, 256 random bits, stored as a SHA-256 hash.

A fast hash is right here (unlike passwords): the secret is random, not guessable, and it is
checked on every request. The key id in it finds the row; the hash is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "esk"


def new_key() -> tuple[str, str]:
    key_id = secrets.token_hex(8)
    return key_id, f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def key_id_of(secret: str) -> str | None:
    prefix, _, rest = secret.partition("_")
    key_id, _, random = rest.partition("_")
    return key_id if prefix == PREFIX and key_id and random else None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(secret: str, stored: str | None) -> bool:
    # Compared even when there is no row, so unknown and wrong keys take the same time.
    return hmac.compare_digest(digest(secret), stored or "0" * 64) and stored is not None
