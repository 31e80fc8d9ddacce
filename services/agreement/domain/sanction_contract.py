"""The sanction service's event this service reacts to (a contract; that service is not built yet).

When the sanction service records the action "removal of network / internet access" (Oakridge
§17), it emits `InternetAccessRemovalOrdered` on its own stream (`events.sanction.<school>.*`).
The agreement service revokes the person's access until `until` (AccessRevoked with `until`);
from that day on, the next `EnforceGracePeriods` run reassesses the person and grants access again
if their signatures are in order.

The model lives here until the sanction service exists; that service must import it from here
(or move it and leave this import working): a type name is registered once in the platform.
"""

from __future__ import annotations

from datetime import date

from shared.events import Event
from shared.registry import registry


@registry.register
class InternetAccessRemovalOrdered(Event):
    type_name = "InternetAccessRemovalOrdered"
    person_id: str
    school_id: str
    until: date
    reason: str
    incident_id: str
