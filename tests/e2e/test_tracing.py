"""One user action is one trace: GraphQL request -> gateway -> NATS -> service handler ->
database -> stored event -> the consumer that projects it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.e2e.conftest import A, Platform
from tests.e2e.helpers import ENROL, pupil
from tests.support.procs import eventually


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider), "the kit installs an SDK tracer provider"
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


async def test_an_enrolment_is_one_trace_across_the_path(
    platform: Platform, spans: InMemorySpanExporter
) -> None:
    token = await platform.token("a.admin")
    body = await platform.gql(ENROL, {"i": pupil(A, "traced-pupil")}, token)
    assert not body.get("errors"), body

    def trace_of_request() -> list[ReadableSpan]:
        finished = spans.get_finished_spans()
        roots = [s for s in finished if s.parent is None and "POST" in s.name]
        if not roots:
            return []
        trace_id = roots[-1].context.trace_id
        return [s for s in finished if s.context.trace_id == trace_id]

    async def names() -> list[str]:
        return [s.name for s in trace_of_request()]

    found = await eventually(names, lambda n: any("directory-view apply" in x for x in n))
    assert any("rpc.directory.EnrolPerson" in n for n in found), found  # the service handler
    assert any(s.attributes and s.attributes.get("db.system") == "sqlite"
               for s in trace_of_request()), found  # its database work, in the same trace
    assert any(n.startswith("POST /graphql") for n in found), found  # the gateway's request
