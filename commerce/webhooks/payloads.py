"""JSON payloads of the webhook events (see events.PAYLOAD_SCHEMAS)."""

from commerce.catalog.models import Product, ProductVariant
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
    variants = ProductVariant.objects.filter(product=product).order_by("sort_order", "pk")
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
