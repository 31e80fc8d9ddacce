"""Log records carry the trace id of the span they were written in."""

from __future__ import annotations

import json
import logging

from opentelemetry.sdk.trace import TracerProvider

from shared.telemetry import JsonFormatter, TraceIdFilter


def test_log_records_carry_the_current_trace_id() -> None:
    tracer = TracerProvider().get_tracer("test")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    with tracer.start_as_current_span("work") as span:
        assert TraceIdFilter().filter(record)
    assert record.trace_id == format(span.get_span_context().trace_id, "032x")  # type: ignore[attr-defined]
    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    TraceIdFilter().filter(outside)
    assert outside.trace_id == "0" * 32  # type: ignore[attr-defined]


def test_json_logs_are_one_object_per_line_with_the_trace() -> None:
    tracer = TracerProvider().get_tracer("test")
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "hello %s", ("you",), None)
    with tracer.start_as_current_span("work") as span:
        TraceIdFilter().filter(record)
    line = JsonFormatter("capture").format(record)
    assert "\n" not in line
    data = json.loads(line)
    context = span.get_span_context()
    assert (data["service"], data["level"], data["message"]) == ("capture", "WARNING", "hello you")
    assert data["trace_id"] == format(context.trace_id, "032x")
    assert data["span_id"] == format(context.span_id, "016x")
