"""Figures drawn from the dossier's own data: the natural-history chart (the patient against the
external-control cohort over age, one chart per measure) and the confirmatory-plan timeline. Which
table, columns and series each draws is declared in the content model (`roles: figures:`); rows
arrive here by part (x, y, chart, series; date, label), so this module knows no field or choice.

Each figure is defined once, as reportlab Drawings: the PDF writer places them as vector graphics;
for Word the same Drawings are written as a one-page PDF, rasterised with PDFium (pypdfium2,
wheels for Linux, Windows and macOS) and stored as PNG. reportlab's own bitmap renderer (renderPM)
needs either the rl_renderPM extension or pycairo; pycairo has no Linux or macOS wheels, so PDFium
is the one route that installs everywhere without a compiler.
"""

from __future__ import annotations

import datetime as dt
import struct
import threading
import zlib
from collections import OrderedDict
from typing import Any, NamedTuple

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, String
from reportlab.lib import colors
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.validators import isString
from reportlab.pdfbase.pdfmetrics import stringWidth

from .fonts import BOLD, REGULAR, fit
from .tree import Figure

WIDTH, HEIGHT = 440, 250
PATIENT = colors.HexColor("#c0392b")
CONTROL = colors.HexColor("#2c6fbb")
GRID = colors.HexColor("#dddddd")


class Chart(Drawing):
    """A Drawing that carries a one-line description (the Word picture's alt text)."""
    _attrMap = AttrMap(BASE=Drawing, description=AttrMapValue(isString))


def _drawing(width: float, height: float, description: str) -> Chart:
    drawing = Chart(width, height)
    drawing.hAlign = "CENTER"
    drawing.description = description
    return drawing


def _note(message: str) -> Drawing:
    drawing = _drawing(WIDTH, 40, message)
    drawing.add(String(WIDTH / 2, 16, message, fontName=REGULAR, fontSize=10, textAnchor="middle",
                       fillColor=colors.grey))
    return drawing


def _number(cell: Any) -> float | None:
    try:
        return float(cell["value"] if isinstance(cell, dict) else cell)
    except (KeyError, TypeError, ValueError):
        return None


def _series_order(figure: Figure) -> list[str]:
    """The series in drawing order: the others first, the highlighted one last (in front)."""
    others = [s for s in figure.series if s != figure.highlight] or ["Values"]
    return others + ([figure.highlight] if figure.highlight in figure.series else [])


def natural_history(figure: Figure) -> list[Drawing]:
    """One chart per `chart` value (a measure): `y` over `x` (age), one series per choice of the
    series column; a row of no known series joins the first non-highlighted one (the cohort)."""
    order = _series_order(figure)
    by_chart: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for row in figure.rows:
        x, y = _number(row.get("x")), _number(row.get("y"))
        if x is None or y is None:
            continue
        chart = str(row.get("chart") or figure.labels.get("y") or "Value")
        series = by_chart.setdefault(chart, {s: [] for s in order})
        series[row.get("series") if row.get("series") in order else order[0]].append((x, y))
    if not by_chart:
        x_label, y_label = (figure.labels.get(p, p) for p in ("x", "y"))
        return [_note(f"No rows with both {x_label} and {y_label} yet")]
    return [_measure_chart(figure, chart, series) for chart, series in by_chart.items()]


def _measure_chart(figure: Figure, measure: str, series: dict[str, list[tuple[float, float]]]) -> Drawing:
    # reportlab's charts load with the first chart: most documents have none (7 ms a process)
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.widgets.markers import makeMarker

    names = [s for s in series if series[s]]
    data = [sorted(series[s]) for s in names]
    x_label = figure.labels.get("x", "")
    points = ", ".join(f"{n} ({len(series[n])} points)" for n in names)
    drawing = _drawing(WIDTH, HEIGHT, f"{measure} by {x_label}: {points}")
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 52, 45, WIDTH - 180, HEIGHT - 65
    plot.data = data
    xs = [x for s in data for x, _ in s]
    ys = [y for s in data for _, y in s]
    pad = max((max(xs) - min(xs)) * 0.05, 0.5)
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = min(xs) - pad, max(xs) + pad
    plot.yValueAxis.valueMin = min(0.0, min(ys))
    plot.yValueAxis.valueMax = max(ys) * 1.1 if max(ys) > 0 else 1.0
    plot.yValueAxis.visibleGrid, plot.yValueAxis.gridStrokeColor = 1, GRID
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName, axis.labels.fontSize = REGULAR, 8
    for i, name in enumerate(names):
        strong = name == figure.highlight
        colour = PATIENT if strong else CONTROL
        line = plot.lines[i]
        line.strokeColor, line.strokeWidth = colour, 2 if strong else 1.2
        line.symbol = makeMarker("FilledCircle" if strong else "Circle", size=4)
        line.symbol.fillColor = line.symbol.strokeColor = colour
    drawing.add(plot)
    drawing.add(String(plot.x + plot.width / 2, 12, x_label, fontName=REGULAR, fontSize=9, textAnchor="middle"))
    label = Group(String(0, 0, fit(measure, REGULAR, 9, plot.height), fontName=REGULAR, fontSize=9,
                         textAnchor="middle"))
    label.transform = (0, 1, -1, 0, 14, plot.y + plot.height / 2)  # rotated 90° beside the y axis
    drawing.add(label)
    legend = Legend()
    legend.x, legend.y = plot.x + plot.width + 18, plot.y + plot.height
    legend.fontName, legend.fontSize = REGULAR, 9
    legend.colorNamePairs = [(PATIENT if n == figure.highlight else CONTROL, n) for n in names]
    drawing.add(legend)
    return drawing


def timeline(figure: Figure) -> list[Drawing]:
    """Rows (milestones) on a time axis by their `date`, named by their `label`; labels go above and
    below the axis, in as many lanes as it takes for none to overlap."""
    dated = []
    for row in figure.rows:
        try:
            dated.append((dt.date.fromisoformat(str(row["date"])), str(row.get("label") or "")))
        except (KeyError, TypeError, ValueError):
            continue
    if not dated:
        return [_note(f"No rows with a {figure.labels.get('date', 'date')} yet")]
    dated.sort()
    left, right, lane_height = 20, WIDTH - 20, 24
    first, last = dated[0][0], dated[-1][0]
    span = max((last - first).days, 1)

    def x_of(day: dt.date) -> float:
        return left + (right - left) * (day - first).days / span if len(dated) > 1 else (left + right) / 2

    placed = []
    lanes: dict[int, list[list[tuple[float, float]]]] = {1: [], -1: []}  # side -> occupied (x0, x1) per lane
    for i, (day, name) in enumerate(dated):
        x = x_of(day)
        text = fit(name, BOLD, 8, 170)
        width = max(stringWidth(text, BOLD, 8), stringWidth(day.isoformat(), REGULAR, 7))
        anchor = "start" if x - width / 2 < 0 else ("end" if x + width / 2 > WIDTH else "middle")
        x0 = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        side, lane = _free_lane(lanes, (x0 - 6, x0 + width + 6), 1 if i % 2 == 0 else -1)
        placed.append((x, day, text, anchor, side, lane))
    depth = {side: len(lanes[side]) for side in lanes}
    height = 40 + lane_height * (depth[1] + depth[-1]) + 30
    axis_y = 20 + 12 + lane_height * depth[-1] + 10
    drawing = _drawing(WIDTH, height, "Timeline: " + "; ".join(f"{d.isoformat()} {n}" for d, n in dated))
    drawing.add(Line(left, axis_y, right, axis_y, strokeColor=colors.black, strokeWidth=1.5))
    for year in range(first.year + 1, last.year + 1):
        x = x_of(dt.date(year, 1, 1))
        drawing.add(Line(x, axis_y - 4, x, axis_y + 4, strokeColor=colors.grey))
        drawing.add(String(x + 2, axis_y + 6, str(year), fontName=REGULAR, fontSize=7, fillColor=colors.grey))
    for x, day, text, anchor, side, lane in placed:
        tip = axis_y + side * (22 + lane * lane_height)
        drawing.add(Line(x, axis_y, x, tip, strokeColor=CONTROL, strokeWidth=0.8))
        drawing.add(Circle(x, axis_y, 3.5, fillColor=CONTROL, strokeColor=CONTROL))
        name_y, date_y = (tip + 11, tip + 2) if side > 0 else (tip - 8, tip - 17)
        drawing.add(String(x, name_y, text, fontName=BOLD, fontSize=8, textAnchor=anchor))
        drawing.add(String(x, date_y, day.isoformat(), fontName=REGULAR, fontSize=7, textAnchor=anchor,
                           fillColor=colors.grey))
    return [drawing]


def _free_lane(lanes: dict[int, list], extent: tuple[float, float], side: int) -> tuple[int, int]:
    """The nearest lane to the axis, on the preferred side first, where `extent` overlaps nothing."""
    depth = 0
    while True:
        for s in (side, -side):
            occupied = lanes[s]
            if depth == len(occupied):
                occupied.append([])
            if all(extent[1] <= a or extent[0] >= b for a, b in occupied[depth]):
                occupied[depth].append(extent)
                return s, depth
        depth += 1


KINDS = {"natural-history": natural_history, "timeline": timeline}


def drawings_for(figure: Figure) -> list[Drawing]:
    """The Drawings of one figure of the document tree."""
    make = KINDS.get(figure.kind)
    return make(figure) if make else [_note(f"Unknown figure '{figure.kind}'")]


class Picture(NamedTuple):
    """One drawing of a figure as a picture for Word."""
    png: bytes
    width: float       # points
    description: str   # the alt text


_PICTURES: OrderedDict[str, tuple[Picture, ...]] = OrderedDict()
_PICTURES_LOCK = threading.Lock()  # the desktop app renders on a worker thread
PICTURES_KEPT = 8


def pictures(figure: Figure) -> tuple[Picture, ...]:
    """The figure's drawings as PNG pictures. A process makes them once for the same figure: the
    demo's protocol and genetic rationale show the same natural-history chart, and a picture takes
    longer to make than the rest of its Word file."""
    key = repr(figure)
    with _PICTURES_LOCK:
        made = _PICTURES.pop(key, None)
    if made is None:
        made = tuple(Picture(png(d), d.width, getattr(d, "description", "")) for d in drawings_for(figure))
    with _PICTURES_LOCK:
        _PICTURES[key] = made
        while len(_PICTURES) > PICTURES_KEPT:
            _PICTURES.popitem(last=False)
    return made


def png(drawing: Drawing, dpi: int = 200) -> bytes:
    """The Drawing as a PNG, through a one-page vector PDF rasterised by PDFium."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(renderPDF.drawToString(drawing))
    try:
        bitmap = pdf[0].render(scale=dpi / 72, rev_byteorder=True)  # RGB, on white
        try:
            return _png_file(bitmap.width, bitmap.height, bitmap.stride, memoryview(bitmap.buffer).cast("B"))
        finally:
            bitmap.close()
    finally:
        pdf.close()


def _png_file(width: int, height: int, stride: int, rgb: memoryview) -> bytes:
    """RGB pixel rows (`stride` bytes apart) as a PNG file: rows unfiltered, deflated at level 1.
    Pillow's encoder tries every row filter and took three times as long (16 ms a chart) for a file
    no smaller; a chart is mostly flat colour, which deflate handles alone."""
    row = 3 * width
    raw = b"".join(b"\0" + rgb[y * stride:y * stride + row] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, deflate, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b"")
