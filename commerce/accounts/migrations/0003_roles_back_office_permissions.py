"""Re-apply the roles once the back-office permissions exist (issue 13): orders.refund_order,
orders.manage_returns, orders.view_revenue and catalog.change_product_price."""

import importlib

from django.db import migrations


def sync_roles(apps, schema_editor):
    importlib.import_module("commerce.accounts.migrations.0002_roles").create_roles(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("catalog", "0002_product_price_permission_sku_prefix_optional"),
        ("orders", "0002_fulfilments_refunds_returns_invoices"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
