"""JSON payloads of the webhook events (see events.PAYLOAD_SCHEMAS)."""

from commerce.catalog.models import Product
from commerce.orders.models import Order


def order_payload(order: Order) -> dict:
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "payment_status": order.payment_status,
        "email": order.email,
        "currency": order.currency,
        "subtotal": str(order.subtotal),
        "discount": str(order.discount),
        "shipping": str(order.shipping),
        "tax": str(order.tax),
        "total": str(order.total),
        "created_at": order.created_at.isoformat() if order.created_at else None,
        "lines": [
            {
                "variant_id": line.variant_id,
                "sku": line.sku,
                "product_name": line.product_name,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "line_total": str(line.line_total),
            }
            for line in order.lines.all()
        ],
    }


def product_payload(product: Product) -> dict:
    variants = product.variants.all()  # ordered by sort_order, id (the model's ordering); prefetchable
    return {
        "id": product.pk,
        "slug": product.slug,
        "name": product.name,
        "base_price": str(product.base_price),
        "live": product.live,
        "category": product.category.slug if product.category_id else None,
        "variants": [
            {
                "id": v.pk,
                "sku": v.sku,
                "price": str(v.price if v.price is not None else product.base_price),
                "stock_available": v.stock_available,
                "is_active": v.is_active,
            }
            for v in variants
        ],
    }


def fulfilment_payload(fulfilment, quantities: dict[int, int]) -> dict:
    """One parcel: its number, courier, tracking number and units per order line."""
    return {
        "number": fulfilment.number,
        "courier": fulfilment.courier,
        "tracking_number": fulfilment.tracking_number,
        "shipped_at": fulfilment.shipped_at.isoformat() if fulfilment.shipped_at else None,
        "lines": [{"order_line_id": line_id, "quantity": units} for line_id, units in sorted(quantities.items())],
    }


def refund_payload(refund) -> dict:
    """One refund: its credit note, amount (goods + shipping), reason and whether stock came back."""
    return {
        "credit_note_number": refund.credit_note_number,
        "amount": str(refund.amount),
        "shipping_amount": str(refund.shipping_amount),
        "reason": refund.reason,
        "restock": refund.restock,
        "manual": refund.manual,
    }
