"""Log records carry the trace id of the span they were written in."""

from __future__ import annotations

import logging

from opentelemetry.sdk.trace import TracerProvider

from shared.telemetry import TraceIdFilter


def test_log_records_carry_the_current_trace_id() -> None:
    tracer = TracerProvider().get_tracer("test")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    with tracer.start_as_current_span("work") as span:
        assert TraceIdFilter().filter(record)
    assert record.trace_id == format(span.get_span_context().trace_id, "032x")  # type: ignore[attr-defined]
    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    TraceIdFilter().filter(outside)
    assert outside.trace_id == "0" * 32  # type: ignore[attr-defined]
