"""Integrator API keys: issued for one school with scopes, revoked once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import assert_never

from services.directory.domain.commands import IssueApiKey, RevokeApiKey
from services.directory.domain.events import ApiKeyIssued, ApiKeyRevoked
from shared.decider import Decider
from shared.errors import AlreadyExists, NotFound
from shared.events import Event

ApiKeyCommand = IssueApiKey | RevokeApiKey


@dataclass(frozen=True)
class ApiKey:
    school_id: str | None = None
    revoked: bool = False


def decide(command: ApiKeyCommand, state: ApiKey) -> list[Event]:
    match command:
        case IssueApiKey():
            if state.school_id is not None:
                raise AlreadyExists(f"API key {command.key_id} already exists", field="key_id")
            return [ApiKeyIssued(**command.model_dump(exclude={"scopes"}),
                                 scopes=sorted(command.scopes))]
        case RevokeApiKey(key_id=key_id, revoked_by=revoked_by):
            # Another school's key is "not found": never confirm another tenant's ids.
            if state.school_id != command.school_id:
                raise NotFound(f"no API key {key_id} at this school", field="key_id")
            return [] if state.revoked else [ApiKeyRevoked(key_id=key_id, revoked_by=revoked_by)]
        case _:
            assert_never(command)


def evolve(state: ApiKey, event: Event) -> ApiKey:
    match event:
        case ApiKeyIssued(school_id=school_id):
            return ApiKey(school_id=school_id)
        case ApiKeyRevoked():
            return replace(state, revoked=True)
        case _:
            return state


api_key = Decider[ApiKeyCommand, ApiKey]("api_key", ApiKey(), decide, evolve)
