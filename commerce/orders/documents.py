"""PDF documents of an order: invoice, packing slip and credit note, drawn with fpdf2.

fpdf2 is pure Python (no system libraries beyond a TrueType font), maintained, and fast enough to
draw a one-page document in a request. Text uses DejaVu Sans (Debian's fonts-dejavu-core, installed
by the Dockerfile) so every currency symbol and accented name prints; without that font the
built-in Helvetica is used and characters outside Latin-1 print as "?".

Each function takes rows already read (see `order_document_data`) and returns the PDF bytes.
"""

import logging
from pathlib import Path

from django.conf import settings
from fpdf import FPDF

from commerce.core.money import format_money

from .models import Order
from .payments import payment_provider_label

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# fpdf2 subsets the font with fontTools, which logs every glyph table at INFO: not worth a log line
logging.getLogger("fontTools").setLevel(logging.WARNING)


class _Document(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)
        self.unicode = (FONT_DIR / "DejaVuSans.ttf").exists()
        if self.unicode:
            self.add_font("Body", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("Body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            self.family = "Body"
        else:
            self.family = "Helvetica"
        self.doc_title = title
        self.set_title(title)
        self.set_creator(settings.WAGTAIL_SITE_NAME)
        self.add_page()

    def text_safe(self, text) -> str:
        text = str(text)
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def font(self, size=10, bold=False):
        self.set_font(self.family, "B" if bold else "", size)

    def line_text(self, text, size=10, bold=False, height=5.5, align="L"):
        self.font(size, bold)
        self.multi_cell(0, height, self.text_safe(text), align=align, new_x="LMARGIN", new_y="NEXT")

    def footer(self):
        self.set_y(-13)
        self.font(8)
        self.set_text_color(110)
        self.cell(0, 5, self.text_safe(f"{self.doc_title} · page {self.page_no()}/{{nb}}"), align="C")
        self.set_text_color(0)

    def table(self, headings, widths, rows, aligns):
        self.font(9, bold=True)
        self.set_fill_color(235, 238, 242)
        for heading, width, align in zip(headings, widths, aligns, strict=True):
            self.cell(width, 7, self.text_safe(heading), border="B", align=align, fill=True)
        self.ln()
        self.font(9)
        for row in rows:
            for value, width, align in zip(row, widths, aligns, strict=True):
                self.cell(width, 6.5, self.text_safe(value), border="B", align=align)
            self.ln()

    def header_block(self, *, heading: str, facts: list[tuple[str, str]], order: Order,
                     address_label: str = "Ship to / bill to"):
        self.line_text(settings.WAGTAIL_SITE_NAME, size=16, bold=True, height=8)
        self.line_text(settings.SHOP_LEGAL_ADDRESS, size=9)
        self.ln(4)
        self.line_text(heading, size=14, bold=True, height=7)
        self.ln(1)
        top = self.get_y()
        self.font(9)
        for label, value in facts:
            self.cell(34, 5, self.text_safe(label))
            self.cell(60, 5, self.text_safe(value), new_x="LMARGIN", new_y="NEXT")
        left_bottom = self.get_y()
        self.set_xy(120, top)
        address = [order.ship_full_name, order.ship_line1, order.ship_line2,
                   " ".join(p for p in (order.ship_postal_code, order.ship_city) if p), order.ship_region,
                   order.ship_country, order.email]
        self.font(9, bold=True)
        self.cell(0, 5, self.text_safe(address_label), new_x="LEFT", new_y="NEXT")
        self.font(9)
        for part in filter(None, address):
            self.cell(0, 5, self.text_safe(part), new_x="LEFT", new_y="NEXT")
        self.set_xy(self.l_margin, max(left_bottom, self.get_y()) + 6)


def _money(order: Order, amount) -> str:
    return format_money(amount, currency=order.currency)


def _attributes(line) -> str:
    return ", ".join(f"{k}: {v}" for k, v in (line.attributes or {}).items())


def invoice_pdf(*, order: Order, invoice) -> bytes:
    """The invoice: lines with prices, totals, payment and any refunds (credit notes) so far."""
    doc = _Document(f"Invoice {invoice.number}")
    doc.alias_nb_pages()
    doc.header_block(heading=f"Invoice {invoice.number}", order=order, facts=[
        ("Invoice date", f"{invoice.issued_at:%Y-%m-%d}"),
        ("Order", order.number),
        ("Order date", f"{order.created_at:%Y-%m-%d}"),
        ("Payment", f"{payment_provider_label(code=order.payment_method)} ({order.get_payment_status_display()})"),
        ("Shipping", order.shipping_method_name),
    ])
    rows = [
        (line.sku, f"{line.product_name}" + (f" ({_attributes(line)})" if line.attributes else ""),
         str(line.quantity), _money(order, line.unit_price), _money(order, line.line_total))
        for line in order.lines.all()
    ]
    doc.table(("SKU", "Item", "Qty", "Unit price", "Total"), (30, 86, 14, 24, 24), rows,
              ("L", "L", "R", "R", "R"))
    doc.ln(3)
    totals = [("Subtotal", order.subtotal)]
    if order.discount:
        totals.append((f"Discount{f' ({order.coupon_code})' if order.coupon_code else ''}", -order.discount))
    totals += [("Shipping", order.shipping),
               ("Tax (included)" if order.prices_include_tax else "Tax", order.tax)]
    for label, amount in totals:
        doc.font(9)
        doc.cell(154, 5.5, doc.text_safe(label), align="R")
        doc.cell(24, 5.5, doc.text_safe(_money(order, amount)), align="R", new_x="LMARGIN", new_y="NEXT")
    doc.font(11, bold=True)
    doc.cell(154, 7, doc.text_safe(f"Total ({order.currency})"), align="R")
    doc.cell(24, 7, doc.text_safe(_money(order, order.total)), align="R", new_x="LMARGIN", new_y="NEXT")
    refunds = list(order.refunds.all())
    if refunds:
        doc.ln(3)
        doc.line_text("Refunds", size=10, bold=True)
        for refund in refunds:
            doc.line_text(f"{refund.credit_note_number} ({refund.created_at:%Y-%m-%d}): "
                          f"-{_money(order, refund.amount)} — {refund.reason}", size=9)
    doc.ln(6)
    doc.line_text("Thank you for your order.", size=9)
    return bytes(doc.output())


def packing_slip_pdf(*, order: Order, fulfilment=None) -> bytes:
    """What goes in the box: SKUs and quantities without prices (one parcel, or the whole order)."""
    title = f"Packing slip {fulfilment.number}" if fulfilment else f"Packing slip {order.number}"
    doc = _Document(title)
    doc.alias_nb_pages()
    facts = [("Order", order.number), ("Order date", f"{order.created_at:%Y-%m-%d}"),
             ("Shipping", order.shipping_method_name)]
    if fulfilment:
        facts += [("Courier", fulfilment.courier), ("Tracking", fulfilment.tracking_number)]
    doc.header_block(heading=title, order=order, facts=facts, address_label="Ship to")
    box = "☐" if doc.unicode else "[ ]"  # ticked by hand while packing
    if fulfilment:
        rows = [(fl.order_line.sku, fl.order_line.product_name, _attributes(fl.order_line), str(fl.quantity), box)
                for fl in fulfilment.lines.all()]
    else:
        rows = [(line.sku, line.product_name, _attributes(line), str(line.quantity), box)
                for line in order.lines.all()]
    doc.table(("SKU", "Item", "Options", "Qty", "Packed"), (32, 70, 46, 14, 16), rows, ("L", "L", "L", "R", "C"))
    if order.customer_note:
        doc.ln(4)
        doc.line_text("Customer note", size=9, bold=True)
        doc.line_text(order.customer_note, size=9)
    return bytes(doc.output())


def credit_note_pdf(*, order: Order, refund) -> bytes:
    doc = _Document(f"Credit note {refund.credit_note_number}")
    doc.alias_nb_pages()
    invoice = getattr(order, "invoice", None)
    doc.header_block(heading=f"Credit note {refund.credit_note_number}", order=order, facts=[
        ("Date", f"{refund.created_at:%Y-%m-%d}"),
        ("Order", order.number),
        ("Invoice", invoice.number if invoice else "—"),
        ("Reason", refund.reason),
        ("Refunded via", "manual refund" if refund.manual else payment_provider_label(code=refund.provider)),
    ])
    rows = [(rl.order_line.sku, rl.order_line.product_name, str(rl.quantity), _money(order, rl.amount))
            for rl in refund.lines.all()]
    if refund.shipping_amount:
        rows.append(("", "Shipping", "", _money(order, refund.shipping_amount)))
    doc.table(("SKU", "Item", "Qty", "Amount"), (32, 106, 16, 24), rows, ("L", "L", "R", "R"))
    doc.ln(2)
    doc.font(11, bold=True)
    doc.cell(154, 7, doc.text_safe(f"Total refunded ({order.currency})"), align="R")
    doc.cell(24, 7, doc.text_safe(_money(order, refund.amount)), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
