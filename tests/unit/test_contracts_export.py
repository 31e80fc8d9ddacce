"""The published contracts are one function of the code: no two payload types share a name."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from shared.contracts_export import contracts, same_names
from shared.events import Event


def test_no_two_types_in_event_payloads_share_a_name() -> None:
    contracts()  # imports every service's events
    assert same_names() == {}


def test_a_name_shared_by_two_payload_types_is_found() -> None:
    from shared.contracts_export import _named_types

    class Colour(StrEnum):
        RED = "red"

    class Inner(BaseModel):
        colour: Colour

    first = Colour

    class Colour(StrEnum):  # type: ignore[no-redef]  # another type of the same name
        BLUE = "blue"

    class Painted(Event):
        type_name = "TestPainted"
        inner: Inner
        others: list[Colour] | None = None

    found: dict[str, set[type]] = {}
    _named_types(Painted, found)
    assert found["Colour"] == {first, Colour}
