"""The API key decider, and the key secrets' format."""

from __future__ import annotations

import pytest

from services.directory.domain.api_key import api_key
from services.directory.domain.commands import IssueApiKey, RevokeApiKey
from services.directory.domain.events import ApiKeyIssued, ApiKeyRevoked
from services.directory.integrations import secret
from shared.claims import Scope
from shared.errors import AlreadyExists, NotFound
from shared.events import Event

ISSUE = IssueApiKey(school_id="oakridge", key_id="abcdef0123456789", name="Arbor",
                    scopes=frozenset({Scope.ROSTER_WRITE}), created_by="a-admin")
ISSUED = ApiKeyIssued(key_id="abcdef0123456789", school_id="oakridge", name="Arbor",
                      scopes=[Scope.ROSTER_WRITE], created_by="a-admin")
REVOKE = RevokeApiKey(school_id="oakridge", key_id="abcdef0123456789", revoked_by="a-admin")
REVOKED = ApiKeyRevoked(key_id="abcdef0123456789", revoked_by="a-admin")


def when(given: list[Event], command: IssueApiKey | RevokeApiKey) -> list[Event]:
    return list(api_key.decide(command, api_key.fold(given)))


class TestIssue:
    def test_issued_once(self) -> None:
        assert when([], ISSUE) == [ISSUED]
        with pytest.raises(AlreadyExists):
            when([ISSUED], ISSUE)


class TestRevoke:
    def test_revoked_once_then_nothing(self) -> None:
        assert when([ISSUED], REVOKE) == [REVOKED]
        assert when([ISSUED, REVOKED], REVOKE) == []

    @pytest.mark.parametrize("given", [[], [ISSUED]])
    def test_an_unknown_or_another_schools_key_is_not_found(self, given: list[Event]) -> None:
        with pytest.raises(NotFound):
            when(given, REVOKE.model_copy(update={"school_id": "glenfield"}) if given else REVOKE)


class TestSecret:
    def test_the_secret_names_its_key_and_matches_only_its_hash(self) -> None:
        key_id, plain = secret.new_key()
        assert plain.startswith(f"esk_{key_id}_") and secret.key_id_of(plain) == key_id
        stored = secret.digest(plain)
        assert secret.matches(plain, stored)
        assert not secret.matches(plain + "x", stored)
        assert not secret.matches(plain, None)

    @pytest.mark.parametrize("text", ["", "esk_", "esk_abc", "xyz_abc_def", "Bearer abc"])
    def test_malformed_secrets_name_no_key(self, text: str) -> None:
        assert secret.key_id_of(text) is None
