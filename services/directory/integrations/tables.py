"""The directory's own state for integrators, written in the same transaction as the events.

Not projections (a rebuild must never drop them): key hashes are secrets kept out of events,
and the roster index must be exact the moment a sync commits, not eventually.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Integer, String, Table

from shared.db import new_metadata

metadata = new_metadata()

api_keys = Table(
    "api_keys", metadata,
    Column("key_id", String(32), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("la_id", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("scopes", String(200), nullable=False),  # space-separated Scope values
    Column("secret_hash", String(64), nullable=False),  # SHA-256 hex of the whole secret
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_by", String(64)),
    Column("revoked_at", DateTime(timezone=True)),
)
# The audit of use: one row per key and day. An event per request would flood the store and
# the bus with facts nobody reacts to; a daily count and the last time answer "is it used?".
api_key_uses = Table(
    "api_key_uses", metadata,
    Column("key_id", String(32), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("uses", Integer, nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=False),
)
# Which person each MIS id of a school is: a full sync needs every one the school has.
roster_members = Table(
    "roster_members", metadata,
    Column("school_id", String(64), primary_key=True),
    Column("mis_id", String(64), primary_key=True),
    Column("person_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
)
