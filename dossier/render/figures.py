"""Figures drawn from the dossier's own data: the natural-history chart (the patient against the
external-control cohort over age) and the confirmatory-plan timeline. Each is one reportlab
Drawing: vector in the PDF; for Word the same Drawing is written as a one-page PDF and rasterised
with PDFium (pypdfium2), since reportlab's own bitmap renderer needs cairo, which has no wheels
for Linux or macOS.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from .fonts import BOLD, REGULAR

WIDTH, HEIGHT = 430, 250
PATIENT = colors.HexColor("#c0392b")
CONTROL = colors.HexColor("#2c6fbb")

FIGURE_FIELDS = {
    "natural-history": "clinical.natural_history.data",
    "timeline": "confirmatory.evidence.milestones",
}


def _empty(message: str) -> Drawing:
    drawing = Drawing(WIDTH, 60)
    drawing.add(String(WIDTH / 2, 30, message, fontName=REGULAR, fontSize=10, textAnchor="middle", fillColor=colors.grey))
    return drawing


def natural_history(rows: list[dict[str, Any]]) -> Drawing:
    """Measurements over age: the external-control cohort as one series, the patient as another."""
    series = {"External control": [], "Patient": []}
    for row in rows:
        try:
            point = (float(row["age"]["value"]), float(row["value"]["value"]))
        except (KeyError, TypeError, ValueError):
            continue
        series.setdefault(row.get("group", "External control"), []).append(point)
    data = [sorted(series[name]) for name in ("External control", "Patient") if series.get(name)]
    names = [name for name in ("External control", "Patient") if series.get(name)]
    if not data:
        return _empty("No natural-history data yet")
    drawing = Drawing(WIDTH, HEIGHT)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 50, 45, WIDTH - 170, HEIGHT - 70
    plot.data = data
    xs = [x for s in data for x, _ in s]
    ys = [y for s in data for _, y in s]
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = min(xs) - 0.5, max(xs) + 0.5
    plot.yValueAxis.valueMin = min(0, min(ys))
    plot.yValueAxis.valueMax = max(ys) * 1.1 if max(ys) > 0 else 1
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName, axis.labels.fontSize = REGULAR, 8
    for i, name in enumerate(names):
        colour = PATIENT if name == "Patient" else CONTROL
        plot.lines[i].strokeColor = colour
        plot.lines[i].strokeWidth = 2 if name == "Patient" else 1.2
        plot.lines[i].symbol = makeMarker("FilledCircle" if name == "Patient" else "Circle", size=4)
        plot.lines[i].symbol.fillColor = colour
        plot.lines[i].symbol.strokeColor = colour
    drawing.add(plot)
    drawing.add(String(plot.x + plot.width / 2, 12, "Age (years)", fontName=REGULAR, fontSize=9, textAnchor="middle"))
    measure = next((r.get("measure") for r in rows if r.get("measure")), "Value")
    label = Group(String(0, 0, measure[:60], fontName=REGULAR, fontSize=9, textAnchor="middle"))
    label.transform = (0, 1, -1, 0, 14, plot.y + plot.height / 2)  # rotated 90° beside the y axis
    drawing.add(label)
    legend = Legend()
    legend.x, legend.y = plot.x + plot.width + 15, plot.y + plot.height
    legend.fontName, legend.fontSize = REGULAR, 9
    legend.colorNamePairs = [(PATIENT if n == "Patient" else CONTROL, n) for n in names]
    drawing.add(legend)
    return drawing


def timeline(rows: list[dict[str, Any]]) -> Drawing:
    """Milestones on a time axis, labels alternating above and below."""
    dated = []
    for row in rows:
        try:
            dated.append((dt.date.fromisoformat(row["target_date"]), row.get("milestone", "")))
        except (KeyError, TypeError, ValueError):
            continue
    if not dated:
        return _empty("No dated milestones yet")
    dated.sort()
    drawing = Drawing(WIDTH, 170)
    left, right, axis_y = 30, WIDTH - 30, 85
    first, last = dated[0][0], dated[-1][0]
    span = max((last - first).days, 1)
    drawing.add(Line(left, axis_y, right, axis_y, strokeColor=colors.black, strokeWidth=1.5))
    for year in range(first.year, last.year + 2):
        day = dt.date(year, 1, 1)
        if first <= day <= last:
            x = left + (right - left) * (day - first).days / span
            drawing.add(Line(x, axis_y - 4, x, axis_y + 4, strokeColor=colors.grey))
            drawing.add(String(x, axis_y - 16, str(year), fontName=REGULAR, fontSize=8, textAnchor="middle",
                               fillColor=colors.grey))
    for i, (day, name) in enumerate(dated):
        x = left + (right - left) * (day - first).days / span if len(dated) > 1 else (left + right) / 2
        up = i % 2 == 0
        drawing.add(Circle(x, axis_y, 4, fillColor=CONTROL, strokeColor=CONTROL))
        tip = axis_y + (28 if up else -32)
        drawing.add(Line(x, axis_y, x, tip, strokeColor=CONTROL, strokeWidth=0.8))
        anchor = "start" if x < left + 60 else ("end" if x > right - 60 else "middle")
        drawing.add(String(x, tip + (4 if up else -10), name[:38], fontName=BOLD, fontSize=8, textAnchor=anchor))
        drawing.add(String(x, tip + (14 if up else -20), day.isoformat(), fontName=REGULAR, fontSize=7,
                           textAnchor=anchor, fillColor=colors.grey))
    return drawing


def drawing_for(kind: str, values: dict[str, Any]) -> Drawing:
    rows = values.get(FIGURE_FIELDS.get(kind, ""), []) or []
    if kind == "natural-history":
        return natural_history(rows)
    if kind == "timeline":
        return timeline(rows)
    return _empty(f"Unknown figure '{kind}'")


def png(drawing: Drawing, dpi: int = 200) -> bytes:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(renderPDF.drawToString(drawing))
    try:
        image = pdf[0].render(scale=dpi / 72).to_pil()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
