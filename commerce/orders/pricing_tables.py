"""Per-process copies of the shipping methods and tax rates, which every checkout and preview reads.

Both tables are small and change only when a manager edits them, yet every order read them with two
queries (~1 ms of ORM work per order, and the checkout's query budget is 15). A `ProcessCopy`
(commerce/core/process_copy.py) keeps them per process and reloads after any save or delete of a
ShippingZone, ShippingMethod or TaxRate (receivers connected in apps.py). Bulk writes to these tables
must call `pricing_tables_bump()` (nothing does today).
"""

from dataclasses import dataclass

from commerce.core.process_copy import ProcessCopy


@dataclass(frozen=True)
class PricingTables:
    methods_by_code: dict  # every method, active or not: price_compute refuses inactive ones with a reason
    active_rates_by_country: dict  # country code ("" = the default rate) -> active TaxRate

    def tax_rate_for(self, country: str):
        """The active rate of `country`, else the active default rate (empty country), else None."""
        rates = self.active_rates_by_country
        return rates.get((country or "").upper()) or rates.get("")


def _load() -> PricingTables:
    from .models import ShippingMethod, TaxRate

    methods = {m.code: m for m in ShippingMethod.objects.select_related("zone")}
    # by pk, the later row winning: the same answer the one-off query gave before this copy
    rates = {r.country: r for r in TaxRate.objects.filter(is_active=True).order_by("pk")}
    return PricingTables(methods_by_code=methods, active_rates_by_country=rates)


_copy = ProcessCopy("orders:pricing-tables", _load)
VERSION_KEY = _copy.version_key


def pricing_tables() -> PricingTables:
    """The current shipping methods and active tax rates (one cache GET; two queries after a change)."""
    return _copy.get()


def pricing_tables_bump() -> None:
    """Make every process reload the shipping methods and tax rates on its next read."""
    _copy.bump()


def pricing_tables_changed(sender, **kwargs) -> None:
    """post_save / post_delete receiver for ShippingZone, ShippingMethod and TaxRate."""
    _copy.bump()
