"""Exports of an issued monthly report: CSV (one row per figure) and PDF with charts (volumes
over time, categories, turnaround), drawn by fpdf2 itself."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import pairwise

from fpdf import FPDF

from services.reporting.domain.monthly import MonthlyReport

Row = tuple[str, str, str]


def rows(r: MonthlyReport) -> Iterator[Row]:
    """(section, item, value): the CSV's rows, and the PDF's tables."""
    c = r.captures
    yield from (("captures", "received", str(c.received)),
                ("captures", "moderated", str(c.moderated)))
    for section, counts in (("captures by category", c.by_category),
                            ("captures by severity", c.by_severity),
                            ("captures by outcome", c.by_outcome),
                            ("captures per day", c.per_day)):
        yield from ((section, k, str(v)) for k, v in counts.items())
    for name, t in r.turnaround:
        yield from ((f"turnaround {name} (minutes)", "count", str(t.count)),
                    (f"turnaround {name} (minutes)", "median", _num(t.median_minutes)),
                    (f"turnaround {name} (minutes)", "max", _num(t.max_minutes)))
    yield from (("alerts", k, str(v)) for k, v in r.alerts)
    yield from (("violations", v.capture_id, f"{v.grade} -> {v.incident_id or 'no incident'}")
                for v in r.violations)
    yield from (("incidents", k, str(getattr(r.incidents, k)))
                for k in ("reported", "referred", "closed"))
    for section, counts in (("incidents by category", r.incidents.by_category),
                            ("incidents by type", r.incidents.by_type),
                            ("incidents by source", r.incidents.by_source),
                            ("sanctions and actions", r.actions.by_action)):
        yield from ((section, k, str(v)) for k, v in counts.items())
    yield from (("not signed", f"{p.name} ({p.kind})", ", ".join(p.missing))
                for p in r.compliance.needing_signature)
    yield from (("access suspended", f"{p.name} ({p.kind})", "")
                for p in r.compliance.suspended)
    yield from (("open items", k, _num(v)) for k, v in r.open_items)


def _num(value: float | int | None) -> str:
    return "" if value is None else str(value)


def title(r: MonthlyReport) -> str:
    return f"Monthly e-safety report: {r.school_name}, {r.month}"


def to_csv(r: MonthlyReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "value"])
    writer.writerows(rows(r))
    return out.getvalue().encode()


def _latin(text: str) -> str:
    # The PDF's core fonts are Latin-1: anything else becomes "?" rather than failing.
    return text.encode("latin-1", "replace").decode("latin-1")


class _Pdf(FPDF):
    def heading(self, text: str) -> None:
        self.set_font("Helvetica", "B", 12)
        self.cell(0, 8, _latin(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=9)

    def bars(self, label: str, counts: dict[str, float]) -> None:
        """A horizontal bar chart, one bar per key."""
        self.heading(label)
        top = max(counts.values(), default=0) or 1
        for key, value in counts.items():
            y = self.get_y()
            self.cell(50, 5, _latin(key[:30]))
            self.set_fill_color(70, 110, 170)
            self.rect(self.l_margin + 52, y + 1, 100 * value / top, 3.5, style="F")
            self.set_x(self.l_margin + 156)
            self.cell(20, 5, f"{value:g}", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def line_chart(self, label: str, points: dict[str, int]) -> None:
        self.heading(label)
        x0, y0, w, h = self.l_margin + 5, self.get_y() + 2, 160.0, 40.0
        self.set_draw_color(120, 120, 120)
        self.line(x0, y0 + h, x0 + w, y0 + h)
        self.line(x0, y0, x0, y0 + h)
        values = list(points.values())
        top = max(values, default=0) or 1
        step = w / max(len(values) - 1, 1)
        coords = [(x0 + i * step, y0 + h - h * v / top) for i, v in enumerate(values)]
        self.set_draw_color(200, 60, 60)
        for (xa, ya), (xb, yb) in pairwise(coords):
            self.line(xa, ya, xb, yb)
        for x, y in coords:
            self.circle(x, y, 0.8, style="F")
        self.set_y(y0 + h + 2)
        if points:
            keys = list(points)
            self.cell(0, 5, _latin(f"{keys[0]} ... {keys[-1]} (peak {top})"),
                      new_x="LMARGIN", new_y="NEXT")
        self.ln(2)


def to_pdf(r: MonthlyReport) -> bytes:
    pdf = _Pdf()
    pdf.set_title(_latin(title(r)))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 10, _latin(title(r)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 5, f"As of {r.as_of.isoformat(timespec='minutes')}", new_x="LMARGIN",
             new_y="NEXT")
    pdf.ln(3)
    pdf.line_chart("Captures received per day", r.captures.per_day)
    pdf.bars("Captures by category", dict(r.captures.by_category))
    pdf.bars("Moderation turnaround (median minutes)",
             {name: t.median_minutes or 0 for name, t in r.turnaround})
    pdf.bars("Incidents by 4C category", dict(r.incidents.by_category))
    pdf.heading("Figures")
    for section, item, value in rows(r):
        pdf.cell(60, 5, _latin(section[:40]))
        pdf.cell(70, 5, _latin(item[:45]))
        pdf.cell(0, 5, _latin(value[:40]), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
