"""A bar chart of the monthly statistics as SVG, drawn on the server: readable without
script, and without inline style (colours are presentation attributes)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from .stats import Month

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 640, 240, 16, 40, 32
SERIES = (("received", "#9aa5b1"), ("replied", "#2f6fb0"), ("resolved", "#2e8540"))


def bar_chart(months: Sequence[Month], labels: dict[str, str], title: str) -> Markup:
    """Three bars a month: received, replied, resolved. `labels` names each series."""
    most = max((m.received for m in months), default=0) or 1
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(len(months), 1)
    bar = slot / (len(SERIES) + 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 24}" role="img" aria-label="{escape(title)}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH}" y2="{TOP + plot_h}" stroke="#666"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="11">{most}</text>',
    ]
    for i, month in enumerate(months):
        x0 = LEFT + i * slot + bar / 2
        for j, (name, colour) in enumerate(SERIES):
            value = getattr(month, name)
            h = plot_h * value / most
            x, y = x0 + j * bar, TOP + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(labels[name])} {month.month}: {value}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + bar * 1.5:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11">{escape(month.month[2:])}</text>'
        )
    for j, (name, colour) in enumerate(SERIES):
        x = LEFT + j * 150
        parts.append(f'<rect x="{x}" y="{HEIGHT}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{HEIGHT + 11}" font-size="12">{escape(labels[name])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it escaped above)
