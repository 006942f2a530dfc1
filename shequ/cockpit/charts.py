"""Charts drawn on the server as SVG (no browser, no JavaScript) for the monthly brief PDF: WeasyPrint renders the
SVG inline. Every chart also carries its figures in a table beside it in the brief."""

from __future__ import annotations

from xml.sax.saxutils import escape

PALETTE = ["#1b6ec2", "#2e8b57", "#b4232a", "#8a5a00"]
FONT = "'WenQuanYi Micro Hei', 'WenQuanYi Zen Hei', sans-serif"


def _frame(width, height, body: str, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
            f'font-family="{FONT}" font-size="10">{body}</svg>')


def bar_chart(labels: list[str], values: list, *, title: str, width: int = 520, height: int = 200,
              color: str = PALETTE[0]) -> str:
    left, bottom, top = 36, 34, 14
    plot_w, plot_h = width - left - 8, height - bottom - top
    vals = [v or 0 for v in values]
    peak = max(vals + [1])
    step = plot_w / max(1, len(vals))
    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" stroke="#888"/>',
             f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{peak}</text>',
             f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>']
    for i, (label, v) in enumerate(zip(labels, vals)):
        h = plot_h * v / peak
        x = left + i * step + step * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                     f'fill="{color}"/>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{top + plot_h - h - 2:.1f}" text-anchor="middle" '
                     f'font-size="8">{v}</text>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - 18}" text-anchor="middle" font-size="8">'
                     f'{escape(label)}</text>')
    return _frame(width, height, "".join(parts), title)


def line_chart(labels: list[str], series: list[tuple[str, list]], *, title: str, width: int = 520,
               height: int = 200, percent: bool = True) -> str:
    left, bottom, top = 36, 40, 14
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = 100.0 if percent else max([v or 0 for _n, vs in series for v in vs] + [1])
    step = plot_w / max(1, len(labels) - 1)
    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" stroke="#888"/>',
             f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{int(peak)}{"%" if percent else ""}</text>',
             f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>']
    for i, label in enumerate(labels):
        parts.append(f'<text x="{left + i * step:.1f}" y="{top + plot_h + 12}" text-anchor="middle" font-size="8">'
                     f'{escape(label)}</text>')
    for k, (name, values) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        points = [(left + i * step, top + plot_h - plot_h * v / peak) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>')
        lx = left + k * 130
        parts.append(f'<rect x="{lx}" y="{height - 12}" width="10" height="8" fill="{color}"/>'
                     f'<text x="{lx + 14}" y="{height - 5}">{escape(name)}</text>')
    return _frame(width, height, "".join(parts), title)
