"""A server-side SVG bar chart: no JavaScript, no chart library, readable by screen readers."""

from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from commerce.core.money import format_money

WIDTH, HEIGHT = 720, 220
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 8, 24, 12


def sales_chart_svg(points) -> SafeString:
    """Bars of daily revenue from `points` (objects with .day, .orders, .revenue), oldest first.

    Each bar carries a <title> (hover tooltip and accessible name); the chart as a whole has a
    summary in <desc>.
    """
    points = list(points)
    if not points:
        return SafeString("")
    top = max((p.revenue for p in points), default=Decimal("0")) or Decimal("1")
    plot_w = WIDTH - PAD_LEFT * 2
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / len(points)
    bar_w = max(slot * 0.7, 1)

    bars = []
    for i, p in enumerate(points):
        h = float(p.revenue / top) * plot_h if p.revenue else 0
        x = PAD_LEFT + i * slot + (slot - bar_w) / 2
        y = PAD_TOP + plot_h - h
        label = f"{date_format(p.day, 'M j')}: {format_money(p.revenue)}, {p.orders} order{'s' if p.orders != 1 else ''}"
        bars.append((f"{x:.1f}", f"{y:.1f}", f"{bar_w:.1f}", f"{max(h, 0):.1f}", label))

    ticks = [(0, points[0]), (len(points) - 1, points[-1])]
    total = sum((p.revenue for p in points), Decimal("0"))
    summary = (
        f"Revenue per day from {date_format(points[0].day, 'M j')} to {date_format(points[-1].day, 'M j')}: "
        f"{format_money(total)} in total, best day {format_money(max(p.revenue for p in points))}."
    )
    return format_html(
        '<svg class="sales-chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="sales-chart-title sales-chart-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="sales-chart-title">Sales, last {n} days</title><desc id="sales-chart-desc">{summary}</desc>'
        '<line x1="{pl}" y1="{base}" x2="{x2}" y2="{base}" stroke="#8a8f98" stroke-width="1"/>'
        "{bars}{ticks}</svg>",
        w=WIDTH,
        h=HEIGHT,
        n=len(points),
        summary=summary,
        pl=PAD_LEFT,
        base=PAD_TOP + plot_h,
        x2=WIDTH - PAD_LEFT,
        bars=format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="#0b5d57"><title>{}</title></rect>',
            bars,
        ),
        ticks=format_html_join(
            "",
            '<text x="{}" y="{}" font-size="12" fill="#4a5360" text-anchor="{}">{}</text>',
            [
                (
                    f"{PAD_LEFT + i * slot + slot / 2:.1f}",
                    HEIGHT - 6,
                    "start" if i == 0 else "end",
                    date_format(p.day, "M j"),
                )
                for i, p in ticks
            ],
        ),
    )
