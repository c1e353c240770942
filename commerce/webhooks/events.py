"""The outbound webhook events and the JSON schema of their payloads.

Every delivery POSTs one envelope:

    {"id": "<uuid, stable across redeliveries>", "event": "order.created",
     "created_at": "<ISO 8601>", "data": {...}}

`data` depends on the event; `PAYLOAD_SCHEMAS` documents it (JSON Schema draft 2020-12) and
`envelope_schema()` gives the whole document, which the README points to.
"""

ORDER_CREATED = "order.created"
ORDER_STATUS_CHANGED = "order.status_changed"
ORDER_FULFILLED = "order.fulfilled"
ORDER_REFUNDED = "order.refunded"
PRODUCT_CREATED = "product.created"
PRODUCT_UPDATED = "product.updated"
STOCK_LOW = "stock.low"
STOCK_OUT = "stock.out"

EVENT_CHOICES = [
    (ORDER_CREATED, "Order created"),
    (ORDER_STATUS_CHANGED, "Order status changed"),
    (ORDER_FULFILLED, "Order fulfilled"),
    (ORDER_REFUNDED, "Order refunded"),
    (PRODUCT_CREATED, "Product created"),
    (PRODUCT_UPDATED, "Product updated"),
    (STOCK_LOW, "Stock low"),
    (STOCK_OUT, "Stock out"),
]
EVENTS = frozenset(name for name, _ in EVENT_CHOICES)

_money = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "decimal as a string"}

_ORDER = {
    "type": "object",
    "required": ["id", "number", "status", "email", "currency", "total", "lines", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "number": {"type": "string"},
        "status": {"type": "string"},
        "payment_status": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "currency": {"type": "string", "minLength": 3, "maxLength": 3},
        "subtotal": _money, "discount": _money, "shipping": _money, "tax": _money, "total": _money,
        "created_at": {"type": "string", "format": "date-time"},
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["sku", "quantity", "unit_price", "line_total"],
                "properties": {
                    "variant_id": {"type": ["integer", "null"]},
                    "sku": {"type": "string"},
                    "product_name": {"type": "string"},
                    "quantity": {"type": "integer", "minimum": 1},
                    "unit_price": _money,
                    "line_total": _money,
                },
            },
        },
    },
}

_PRODUCT = {
    "type": "object",
    "required": ["id", "slug", "name", "base_price", "live", "variants"],
    "properties": {
        "id": {"type": "integer"},
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "base_price": _money,
        "live": {"type": "boolean"},
        "category": {"type": ["string", "null"], "description": "category slug"},
        "variants": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "sku", "price", "stock_available"],
                "properties": {
                    "id": {"type": "integer"},
                    "sku": {"type": "string"},
                    "price": _money,
                    "stock_available": {"type": "integer"},
                    "is_active": {"type": "boolean"},
                },
            },
        },
    },
}

_STOCK = {
    "type": "object",
    "required": ["variant_id", "sku", "product_id", "stock_available", "threshold"],
    "properties": {
        "variant_id": {"type": "integer"},
        "sku": {"type": "string"},
        "product_id": {"type": "integer"},
        "product_name": {"type": "string"},
        "stock_available": {"type": "integer", "minimum": 0},
        "threshold": {"type": "integer", "minimum": 0},
    },
}

PAYLOAD_SCHEMAS: dict[str, dict] = {
    ORDER_CREATED: {"type": "object", "required": ["order"], "properties": {"order": _ORDER}},
    ORDER_STATUS_CHANGED: {
        "type": "object",
        "required": ["order", "from_status", "to_status"],
        "properties": {"order": _ORDER, "from_status": {"type": "string"}, "to_status": {"type": "string"}},
    },
    ORDER_FULFILLED: {"type": "object", "required": ["order"], "properties": {
        "order": _ORDER, "fulfillment": {"type": "object", "description": "the fulfilment, as the orders app sends it"}}},
    ORDER_REFUNDED: {"type": "object", "required": ["order"], "properties": {
        "order": _ORDER, "refund": {"type": "object", "description": "the refund, as the orders app sends it"}}},
    PRODUCT_CREATED: {"type": "object", "required": ["product"], "properties": {"product": _PRODUCT}},
    PRODUCT_UPDATED: {"type": "object", "required": ["product"], "properties": {"product": _PRODUCT}},
    STOCK_LOW: _STOCK,
    STOCK_OUT: _STOCK,
}


def envelope_schema() -> dict:
    """The JSON Schema of a delivery body, one branch per event."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Cartwheel webhook delivery",
        "type": "object",
        "required": ["id", "event", "created_at", "data"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "event id; the same on every redelivery"},
            "event": {"enum": sorted(EVENTS)},
            "created_at": {"type": "string", "format": "date-time"},
            "data": {"type": "object"},
        },
        "oneOf": [
            {"properties": {"event": {"const": name}, "data": schema}} for name, schema in PAYLOAD_SCHEMAS.items()
        ],
    }
