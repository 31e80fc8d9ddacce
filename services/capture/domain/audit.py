"""Screenshot views, one stream per capture: kept apart from the capture's own stream so
that a DSL looking at an image never races a moderator's claim or grade."""

from __future__ import annotations

from dataclasses import dataclass

from services.capture.domain.events import ScreenshotViewed
from shared.decider import Decider
from shared.events import Event


@dataclass(frozen=True)
class RecordView:
    viewed: ScreenshotViewed


def decide(command: RecordView, views: int) -> list[Event]:
    return [command.viewed]  # every view is recorded, the same viewer's too


def evolve(views: int, event: Event) -> int:
    return views + 1 if isinstance(event, ScreenshotViewed) else views


screenshot_views = Decider[RecordView, int]("screenshot-views", 0, decide, evolve)
