"""Tokens and secrets beyond tests/e2e/test_gateway.py (tampered, expired, other key, alg=none,
rate limit) and tests/e2e/test_roster.py / test_capture_http.py (revoked, expired, wrong-scope
and other-school keys): a leaver's or a demoted person's token, a role added to a validly
signed token, passwords stored as argon2id and in no event, and no secret in any log."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from services.directory.projections import credentials
from services.gateway.auth import TokenIssuer
from shared.claims import Claims, Role
from tests.security.conftest import JWT_SECRET, LOGIN, PASSWORD, A, World, person_of
from tests.support.asgi_ws import AsgiWebSocket
from tests.support.procs import eventually

ME = "{ me { personId roles } }"


async def _me(world: World, token: str) -> dict[str, Any]:
    return await world.gql(ME, headers={"Authorization": f"Bearer {token}"})


def _code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


async def _teacher(world: World, person: str) -> str:
    """A new teacher at A with a login; their token once it works."""
    await world.call("directory", "EnrolPerson", school_id=A, person_id=person, kind="staff",
                     given_name="Tok", family_name=person)
    await world.call("directory", "AssignRole", school_id=A, person_id=person, role="teacher")
    admin = world.headers("school_admin")
    opened = await world.gql("""mutation($s: String!, $p: String!, $u: String!, $w: String!) {
        openAccount(schoolId: $s, personId: $p, username: $u, password: $w) { username } }""",
                             {"s": A, "p": person, "u": person, "w": PASSWORD}, admin)
    assert not opened.get("errors"), opened

    async def login() -> dict[str, Any]:
        return await world.gql(LOGIN, {"u": person, "p": PASSWORD})

    body = await eventually(login, lambda b: not b.get("errors"), within=30)
    return str(body["data"]["login"]["token"])


async def test_a_leavers_token_is_refused(world: World) -> None:
    token = await _teacher(world, "sx-tok-leaver")
    assert (await _me(world, token))["data"]["me"]["personId"] == "sx-tok-leaver"
    await world.call("directory", "RecordLeaver", school_id=A, person_id="sx-tok-leaver",
                     left_on=date.today().isoformat(), reason="left the school")
    refused = await eventually(lambda: _me(world, token),
                               lambda b: _code(b) == "unauthenticated", within=30)
    assert "no longer active" in refused["errors"][0]["message"]
    assert _code(await world.gql(LOGIN, {"u": "sx-tok-leaver", "p": PASSWORD})) \
        == "unauthenticated"


async def test_a_token_with_a_role_taken_away_is_refused(world: World) -> None:
    token = await _teacher(world, "sx-tok-demoted")
    await world.call("directory", "RemoveRole", school_id=A, person_id="sx-tok-demoted",
                     role="teacher")
    refused = await eventually(lambda: _me(world, token),
                               lambda b: _code(b) == "unauthenticated", within=30)
    assert "roles have changed" in refused["errors"][0]["message"]


async def test_a_signed_token_claiming_more_roles_is_refused(world: World) -> None:
    """Even signed with the gateway's own key, a token claiming roles its person does not
    hold is refused: the roles are checked against the directory."""
    issuer = TokenIssuer(JWT_SECRET.encode(), timedelta(minutes=5))
    teacher = person_of("teacher")

    def token(roles: set[Role]) -> str:
        return issuer.issue(Claims(subject=teacher, school_id=A, la_id="la-northshire",
                                   roles=frozenset(roles))).value

    assert _code(await _me(world, token({Role.TEACHER}))) is None  # the control
    escalated = await _me(world, token({Role.TEACHER, Role.LA_ADMIN}))
    assert _code(escalated) == "unauthenticated"


async def test_passwords_are_argon2id_hashes_and_in_no_event(world: World) -> None:
    directory = world.services["directory"]
    async with directory.kit.db.read() as conn:
        hashes = list((await conn.execute(select(credentials.c.password_hash))).scalars())
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    for name, service in world.services.items():
        async for batch in service.kit.store.read_all():
            for env in batch:
                text = str(env.payload)
                assert PASSWORD not in text and "$argon2" not in text, (name, env.type)


async def test_no_secret_reaches_any_log(world: World) -> None:
    # Paths that tend to log what they were given: a wrong password, a bogus key, a bad token.
    await world.gql(LOGIN, {"u": person_of("teacher"), "p": PASSWORD + " wrong"})
    await world.gql(ME, headers={"Authorization": "ApiKey sx-not-a-key"})
    await world.gql(ME, headers={"Authorization": f"Bearer {world.tokens['teacher']}x"})
    secrets = {"the demo password": PASSWORD, "the JWT signing key": JWT_SECRET,
               **{f"{p} secret": k for p, k in world.keys.items()},
               **{f"{p} token": t for p, t in world.tokens.items()}}
    logs = "\n".join(world.logs.lines)
    assert len(world.logs.lines) > 10, "the log trap caught nothing: the check proves nothing"
    leaked = [what for what, secret in secrets.items() if secret in logs]
    assert leaked == []


async def _subscribe_code(world: World, token: str) -> str | None:
    """The error code a subscription to A's alerts answers when the token comes in the
    connection_init payload (as browsers send it), or None when it is accepted."""
    async with AsgiWebSocket(world.app, "/graphql") as ws:
        await ws.send({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        assert (await ws.receive())["type"] == "connection_ack"
        await ws.send({"id": "1", "type": "subscribe", "payload": {
            "query": f'subscription {{ alerts(schoolId: "{A}") {{ alertId }} }}'}})
        try:
            first = await ws.receive()
        except TimeoutError:
            return None
    errors = first["payload"] if first["type"] == "error" else first["payload"].get("errors")
    return errors[0]["extensions"]["code"] if errors else None


async def test_a_leavers_token_is_refused_on_the_alerts_subscription(world: World) -> None:
    token = await _teacher(world, "sx-tok-socket")
    # A teacher may not follow alerts at all: refused for the role, while still a member.
    assert await _subscribe_code(world, token) == "forbidden"
    await world.call("directory", "RecordLeaver", school_id=A, person_id="sx-tok-socket",
                     left_on=date.today().isoformat(), reason="left the school")
    await eventually(lambda: _me(world, token), lambda b: _code(b) == "unauthenticated",
                     within=30)
    assert await _subscribe_code(world, token) == "unauthenticated"
