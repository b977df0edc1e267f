"""bench/compare/draw.py - draws what side_by_side.py measured as one SVG
(plain text written by python, no plotting library):

  1. the milestone path (HTTP GET into a FAT32 file, synced) as a timeline
     of its phases, KPIO above Linux, on one time axis;
  2. QEMU start to DHCP lease for KPIO booted from its ISO, KPIO by direct
     kernel boot and Linux;
  3. the throughput figures (MiB/s) as bars, KPIO beside Linux.

results: {guest: {metric: (unit, min, median, max, what)}} as parsed by
side_by_side.run_guest. Every figure is a median.
"""
import math
import os
from xml.sax.saxutils import escape

WIDTH = 900
LEFT = 170  # room for the row labels
PLOT = WIDTH - LEFT - 40
COLOURS = {"kpio": "#2a7ab0", "kpio-direct": "#5fb35f", "linux": "#d9822b"}
LABELS = {"kpio": "KPIO (ISO)", "kpio-direct": "KPIO (direct boot)", "linux": "Linux"}
# Phases of the timeline in order; a guest shows the ones it measured.
PHASES = [("ph_app_loaded", "loaded"), ("ph_app_compiled", "compiled"),
          ("ph_tcp_connect", "connect"), ("ph_first_byte", "first byte"),
          ("ph_last_byte", "last byte"), ("ph_file_closed", "closed"),
          ("ph_sync_done", "synced")]
SEGMENT_SHADES = ["#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]
RATES = ["http_devnull", "https_devnull", "http_to_fat", "fat_write", "fat_read_cold"]


class Svg:
    def __init__(self):
        self.parts, self.y = [], 0

    def text(self, x, y, s, size=12, anchor="start", colour="#222", bold=False):
        weight = ' font-weight="bold"' if bold else ""
        self.parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" '
                          f'text-anchor="{anchor}" fill="{colour}"{weight}>{escape(s)}</text>')

    def rect(self, x, y, w, h, fill, title=None):
        tip = f"<title>{escape(title)}</title>" if title else ""
        self.parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" '
                          f'height="{h:.1f}" fill="{fill}" stroke="#fff" stroke-width="0.5">'
                          f'{tip}</rect>')

    def line(self, x1, y1, x2, y2, colour="#888"):
        self.parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                          f'stroke="{colour}" stroke-width="1"/>')

    def document(self):
        h = self.y + 20
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{h}" '
                f'viewBox="0 0 {WIDTH} {h}" font-family="sans-serif">'
                f'<rect width="100%" height="100%" fill="#fff"/>' + "".join(self.parts) + "</svg>\n")


def median(results, guest, metric):
    row = results.get(guest, {}).get(metric)
    return row[2] if row else None


def axis(svg, y, top, scale, limit, unit):
    """A horizontal axis at y with about five ticks, grid lines up to top."""
    step = nice_step(limit / 5)
    i = 0
    while i * step <= limit * 1.0001:
        t = round(i * step, 6)
        x = LEFT + t * scale
        svg.line(x, top, x, y, "#e0e0e0")
        svg.text(x, y + 14, f"{t:g}", 10, "middle", "#555")
        i += 1
    svg.text(LEFT + PLOT, y + 28, unit, 10, "end", "#555")


def nice_step(raw):
    """1, 2 or 5 times a power of ten, at least raw."""
    if raw <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def timeline(svg, results):
    rows = [(g, [(label, median(results, g, m)) for m, label in PHASES])
            for g in ("kpio", "linux") if g in results]
    rows = [(g, [(lab, v) for lab, v in ph if v is not None]) for g, ph in rows]
    rows = [(g, ph) for g, ph in rows if ph]
    if not rows:
        return
    end = max(ph[-1][1] for _g, ph in rows) or 1.0
    scale = PLOT / end
    svg.text(20, svg.y + 20, "Milestone path: HTTP GET into a FAT32 file, synced "
             "(seconds from its start, median)", 14, bold=True)
    top = svg.y + 30
    y = top
    for g, phases in rows:
        svg.text(LEFT - 8, y + 19, LABELS[g], 12, "end")
        start = 0.0
        for i, (label, t) in enumerate(phases):
            shade = SEGMENT_SHADES[i % len(SEGMENT_SHADES)] if g == "kpio" else \
                ["#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d"][i % 4]
            svg.rect(LEFT + start * scale, y, (t - start) * scale, 28, shade,
                     f"{LABELS[g]}: until {label} {t:.3f} s")
            start = max(start, t)
        # phase names under the bar, alternating rows so they do not collide
        for i, (label, t) in enumerate(phases):
            ly = y + 40 + (i % 2) * 11
            svg.line(LEFT + t * scale, y + 28, LEFT + t * scale, ly - 8, "#999")
            svg.text(LEFT + t * scale, ly, f"{label} {t:.2f}", 9, "middle", "#333")
        y += 66
    axis(svg, y, top, scale, end, "s")
    svg.y = y + 40


def bars(svg, title, items, unit):
    """items: [(label, guest, value)] drawn as horizontal bars."""
    items = [i for i in items if i[2] is not None]
    if not items:
        return
    limit = max(v for _l, _g, v in items) or 1.0
    scale = PLOT / limit
    svg.text(20, svg.y + 20, title, 14, bold=True)
    top = svg.y + 30
    y = top
    for label, g, v in items:
        svg.text(LEFT - 8, y + 13, label, 11, "end")
        svg.rect(LEFT, y, v * scale, 18, COLOURS[g], f"{label}: {v:.3f} {unit}")
        svg.text(LEFT + v * scale + 4, y + 13, f"{v:.3g} {unit}", 10)
        y += 22
    axis(svg, y + 2, top, scale, limit, unit)
    svg.y = y + 40


def render(results, args):
    svg = Svg()
    svg.text(20, 24, f"KPIO vs Linux on the same QEMU: payload {args.payload_mib} MiB, "
             f"{args.runs} runs each, {args.firmware}", 16, bold=True)
    svg.y = 34
    timeline(svg, results)
    bars(svg, "QEMU start to DHCP lease (median, lower is better)",
         [(LABELS[g], g, median(results, g, "lease")) for g in ("kpio", "kpio-direct", "linux")],
         "s")
    items = []
    for m in RATES:
        for g in ("kpio", "linux"):
            items.append((f"{m} {LABELS[g]}", g, median(results, g, m)))
    bars(svg, "Throughput (median MiB/s, higher is better)", items, "MiB/s")
    return svg.document()


def write_svg(path, results, args):
    """Writes the drawing; returns False when there is nothing to draw."""
    if not any(results.values()):
        return False
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(render(results, args))
    return True
