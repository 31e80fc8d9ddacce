"""The kit's one Alembic environment, shared by every service.

Driven only by `shared.migrate`, which builds the `Config` in code and hands over, in
`config.attributes`, a connection already inside a transaction (opened on the service's
async engine and passed through `run_sync`), the service's models and its version table.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

config = context.config
connection = config.attributes.get("connection")
if not isinstance(connection, Connection) or context.is_offline_mode():
    raise RuntimeError("run migrations with `python -m shared.migrate`, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=config.attributes["target_metadata"],
    version_table=config.attributes["version_table"],
    # SQLite alters a table by copying it: autogenerate must write batch operations for it.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # True on SQLite too: the kit issues BEGIN itself, so its DDL rolls back like PostgreSQL's.
    transactional_ddl=True,
)
# The caller's transaction is already open, so this adds none (and commits nothing).
with context.begin_transaction():
    context.run_migrations()
