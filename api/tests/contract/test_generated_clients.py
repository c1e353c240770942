"""Clients generated from the live /api/schema/ work: a headless frontend's first day.

A Python client (openapi-python-client) and TypeScript types (openapi-typescript, checked by tsc) are
generated from the schema the server publishes; both must generate without a warning. The Python one
then buys something against the live server the way a frontend would: list → detail → add to cart
(the cart travels in X-Cart-Token) → coupon → preview → checkout → track, and a refused request's
4xx body parses into the generated `Error` model.
"""

import importlib
import json
import shutil
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

from .conftest import GUEST_PHONE

pytestmark = [pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[3]
NODE_BIN = REPO / ".ci" / "node" / "node_modules" / ".bin"
PACKAGE = "cartwheel_client"


@pytest.fixture
def schema_file(live_server, contract_shop, tmp_path) -> Path:
    with urllib.request.urlopen(f"{live_server.url}/api/schema/?format=json", timeout=60) as response:
        assert response.status == 200
        schema = json.load(response)
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    return path


@pytest.fixture
def python_client_package(schema_file, tmp_path):
    generator = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    if generator is None:
        pytest.skip("openapi-python-client is not installed (requirements.txt)")
    config = tmp_path / "generator.yml"
    # invoices are PDF documents: the generator reads them as the binary type it knows
    config.write_text(
        f"package_name_override: {PACKAGE}\npost_hooks: []\n"
        "content_type_overrides:\n  application/pdf: application/octet-stream\n"
    )
    out = tmp_path / "pyclient" / PACKAGE
    completed = subprocess.run(
        [generator, "generate", "--path", str(schema_file), "--output-path", str(out), "--meta", "none",
         "--config", str(config), "--fail-on-warning"],
        capture_output=True, text=True, timeout=300,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0 and "Warning" not in output, output
    sys.path.insert(0, str(out.parent))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out.parent))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_typescript_types_generate_from_the_schema_and_type_check(schema_file, tmp_path):
    generator, tsc = NODE_BIN / "openapi-typescript", NODE_BIN / "tsc"
    if not (generator.exists() and tsc.exists()):
        pytest.skip("openapi-typescript/tsc not installed: run `bash .ci/node-tools` (needs npm and its registry)")
    types = tmp_path / "api.d.ts"
    # fields with a default are optional in a request body: not "non-nullable" (required) as in a response
    completed = subprocess.run(
        [str(generator), str(schema_file), "-o", str(types), "--default-non-nullable", "false"],
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    # a frontend's use of the types: a request body, a success body, the error body and a header
    usage = tmp_path / "usage.ts"
    usage.write_text(
        'import type { components, paths } from "./api";\n'
        'type Checkout = paths["/api/v1/checkout/"]["post"];\n'
        'const body: Checkout["requestBody"] extends { content: { "application/json": infer B } } ? B : never =\n'
        '  { shipping_method: "standard", email: "a@example.com" };\n'
        'type Placed = Checkout["responses"][201]["content"]["application/json"];\n'
        'const total = (order: Placed): string => order.total;\n'
        'type Refused = Checkout["responses"][409]["content"]["application/json"];\n'
        'const code = (error: Refused): string => error.error.code;\n'
        'const error: components["schemas"]["Error"] = { error: { code: "invalid", message: "Bad." } };\n'
        'type CartAdded = paths["/api/v1/cart/items/"]["post"]["responses"][201];\n'
        'const token = (r: CartAdded): string | undefined => r.headers["X-Cart-Token"];\n'
        "export { body, total, code, error, token };\n"
    )
    completed = subprocess.run(
        [str(tsc), "--noEmit", "--strict", "--target", "es2020", "--moduleResolution", "node", str(types), str(usage)],
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_generated_python_client_completes_a_purchase(python_client_package, live_server, contract_shop):
    api = importlib.import_module(f"{PACKAGE}.api")
    models = importlib.import_module(f"{PACKAGE}.models")
    client_module = importlib.import_module(PACKAGE)
    for module in ("catalogue.products_list", "catalogue.products_retrieve", "cart.cart_items_create",
                   "cart.cart_coupon_apply", "checkout.checkout_preview", "checkout.checkout_create",
                   "orders.orders_track"):
        importlib.import_module(f"{api.__name__}.{module}")
    client = client_module.Client(base_url=live_server.url, raise_on_unexpected_status=True, timeout=30)

    listed = api.catalogue.products_list.sync_detailed(client=client, category="tops", page_size=2)
    assert listed.status_code == 200
    page = listed.parsed
    assert isinstance(page, models.ProductListPage) and page.count == 4 and len(page.results) == 2
    assert page.next_ is not None
    slug = contract_shop.product_slug
    assert slug in {p.slug for p in api.catalogue.products_list.sync(client=client, q="Contract Tee").results}

    detail = api.catalogue.products_retrieve.sync(client=client, slug=slug)
    assert isinstance(detail, models.ProductDetail)
    sku = next(v.sku for v in detail.variants if v.sku == contract_shop.sku)

    added = api.cart.cart_items_create.sync_detailed(
        client=client, body=models.CartItemAddRequest(sku=sku, quantity=2)
    )
    assert added.status_code == 201, added.content
    token = added.headers["X-Cart-Token"]
    assert added.parsed.token == token and added.parsed.item_count == 2

    refused = api.cart.cart_coupon_apply.sync_detailed(
        client=client, x_cart_token=token, body=models.CouponApplyRequest(code="NO-SUCH-CODE")
    )
    assert refused.status_code == 400
    assert isinstance(refused.parsed, models.Error) and refused.parsed.error.code == "coupon_unknown"
    assert refused.parsed.error.message

    discount = api.cart.cart_coupon_apply.sync(
        client=client, x_cart_token=token, body=models.CouponApplyRequest(code=contract_shop.coupon_code)
    )
    assert isinstance(discount, models.CartDiscount) and discount.discount == "5.00"  # 10 % of 2 x 25.00

    no_destination = api.checkout.checkout_preview.sync_detailed(
        client=client, x_cart_token=token, body=models.CheckoutPreviewRequestRequest(shipping_method="standard")
    )
    assert no_destination.status_code == 400
    assert no_destination.parsed.error.code == "shipping_address_required"
    preview = api.checkout.checkout_preview.sync(
        client=client, x_cart_token=token,
        body=models.CheckoutPreviewRequestRequest(shipping_method="standard", country="US"),
    )
    assert isinstance(preview, models.CheckoutPreview)
    assert (preview.subtotal, preview.discount, preview.coupon_code) == ("50.00", "5.00", contract_shop.coupon_code)

    checkout_body = models.CheckoutRequestRequest(
        shipping_method="standard", email="guest.buyer@example.com", phone=GUEST_PHONE,
        shipping_address=models.AddressInputRequest(
            full_name="Gus Guest", line1="1 Main Street", city="Springfield", postal_code="12345", country="US"
        ),
    )
    key = str(uuid.uuid4())
    placed = api.checkout.checkout_create.sync_detailed(
        client=client, x_cart_token=token, idempotency_key=key, body=checkout_body
    )
    assert placed.status_code == 201, placed.content
    order = placed.parsed
    assert isinstance(order, models.PlacedOrder)
    assert (order.total, order.discount, order.coupon_code) == (preview.total, "5.00", contract_shop.coupon_code)
    replayed = api.checkout.checkout_create.sync_detailed(
        client=client, x_cart_token=token, idempotency_key=key, body=checkout_body
    )
    assert replayed.status_code == 201 and replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.parsed.number == order.number

    tracked = api.orders.orders_track.sync(
        client=client, body=models.TrackingRequestRequest(order_number=order.number, phone=GUEST_PHONE)
    )
    assert isinstance(tracked, models.Tracking)
    assert (tracked.order_number, tracked.total, tracked.status.value) == (order.number, order.total, "pending")
