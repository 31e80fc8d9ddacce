"""The template decider: one agreement per school and audience, published in versions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import assert_never

from services.agreement.domain.commands import CreateTemplate, PublishVersion
from services.agreement.domain.events import Audience, TemplateCreated, VersionPublished
from shared.decider import Decider
from shared.errors import AlreadyExists, InvalidInput, NotFound
from shared.events import Event


def template_id(school_id: str, audience: Audience) -> str:
    return f"{school_id}.{audience.value}"


@dataclass(frozen=True)
class Version:
    version: int
    effective_from: date
    grace_days: int

    @property
    def grace_ends(self) -> date:
        return self.effective_from + timedelta(days=self.grace_days)


@dataclass(frozen=True)
class Template:
    exists: bool = False
    school_id: str = ""
    audience: Audience | None = None
    versions: tuple[Version, ...] = ()

    def current(self, as_of: date) -> Version | None:
        """The newest version in effect on `as_of` (or the first one, before any is)."""
        effective = [v for v in self.versions if v.effective_from <= as_of]
        if effective:
            return effective[-1]
        return self.versions[0] if self.versions else None

    def accepts(self, signed: int, as_of: date) -> bool:
        """Does a signature on version `signed` still count on `as_of`?"""
        current = self.current(as_of)
        if current is None:
            return False
        if signed >= current.version:
            return True
        return as_of < current.grace_ends and any(v.version == signed for v in self.versions)

    @property
    def latest(self) -> int:
        return self.versions[-1].version if self.versions else 0


@dataclass(frozen=True)
class Publish:
    """PublishVersion, with who publishes (from the caller's verified claims)."""

    command: PublishVersion
    published_by: str


TemplateCommand = CreateTemplate | Publish


def decide(command: TemplateCommand, state: Template) -> list[Event]:
    match command:
        case CreateTemplate(school_id=school_id, audience=audience, title=title):
            if state.exists:
                raise AlreadyExists(f"{school_id} already has a {audience.value} agreement",
                                    field="audience")
            return [TemplateCreated(template_id=template_id(school_id, audience),
                                    school_id=school_id, audience=audience, title=title)]
        case Publish(command=cmd, published_by=by):
            # Another school's template is "not found": never confirm another tenant's ids.
            if not state.exists or state.school_id != cmd.school_id or state.audience is None:
                raise NotFound(f"no agreement {cmd.template_id} at this school",
                               field="template_id")
            if state.versions and cmd.effective_from < state.versions[-1].effective_from:
                raise InvalidInput("a new version cannot take effect before the previous one",
                                   field="effective_from")
            return [VersionPublished(
                template_id=cmd.template_id, school_id=cmd.school_id, audience=state.audience,
                version=state.latest + 1, text=cmd.text, effective_from=cmd.effective_from,
                grace_days=cmd.grace_days, published_by=by)]
        case _:
            assert_never(command)


def evolve(state: Template, event: Event) -> Template:
    match event:
        case TemplateCreated(school_id=school_id, audience=audience):
            return Template(exists=True, school_id=school_id, audience=audience)
        case VersionPublished(version=version, effective_from=effective, grace_days=grace):
            return replace(state, versions=(*state.versions, Version(version, effective, grace)))
        case _:
            return state


template = Decider[TemplateCommand, Template]("template", Template(), decide, evolve)
