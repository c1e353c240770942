"""Per-process copies of the shipping methods and tax rates, which every checkout and preview reads.

Both tables are small and change only when a manager edits them, yet every order read them with two
queries (~1 ms of ORM work per order, and the checkout's query budget is 15). Each process keeps one
copy tagged with a version held in Django's cache (Redis in production, shared by every worker):
saving or deleting a ShippingZone, ShippingMethod or TaxRate writes a new version (receivers below,
connected in apps.py), so the next read in every process reloads. A read costs one cache GET.

The version is written twice, like the catalogue's (commerce/catalog/cache.py): at the save, so the
writer's own next read is fresh, and again at commit, so a copy another process loaded between the
two (the old rows) is thrown away. The version is read *before* the rows are loaded, so a copy is
never tagged newer than what it holds.

Queryset .update() and bulk_create() send no signals: code that writes these tables in bulk must call
`pricing_tables_bump()` itself (nothing does today). Without a shared cache (DummyCache) nothing is
kept: every read queries the database.

The cached ShippingMethod/TaxRate instances are shared by every request (and thread) of the process:
treat them as read-only.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "orders:pricing-tables:version"


@dataclass(frozen=True)
class PricingTables:
    version: str | None
    methods_by_code: dict  # every method, active or not: price_compute refuses inactive ones with a reason
    active_rates_by_country: dict  # country code ("" = the default rate) -> active TaxRate


_current: PricingTables | None = None


def _version() -> str | None:
    version = cache.get(VERSION_KEY)
    if version is None:  # first read, or the cache was flushed/evicted: start a new version
        cache.add(VERSION_KEY, str(time.time_ns()), None)
        version = cache.get(VERSION_KEY)
    return None if version is None else str(version)


def _load(version: str | None) -> PricingTables:
    from .models import ShippingMethod, TaxRate

    methods = {m.code: m for m in ShippingMethod.objects.select_related("zone")}
    # by pk, the later row winning: the same answer the one-off query gave before this cache
    rates = {r.country: r for r in TaxRate.objects.filter(is_active=True).order_by("pk")}
    return PricingTables(version=version, methods_by_code=methods, active_rates_by_country=rates)


def pricing_tables() -> PricingTables:
    """The current shipping methods and active tax rates (one cache GET; two queries after a change)."""
    global _current
    version = _version()
    current = _current
    if version is not None and current is not None and current.version == version:
        return current
    tables = _load(version)
    if version is not None:
        _current = tables
    return tables


def _write_new_version() -> None:
    cache.set(VERSION_KEY, str(time.time_ns()), None)


def pricing_tables_bump() -> None:
    """Make every process reload the shipping methods and tax rates on its next read."""
    global _current
    _current = None  # this process at once, even if the cache write fails
    _write_new_version()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_write_new_version)


def pricing_tables_changed(sender, **kwargs) -> None:
    """post_save / post_delete receiver for ShippingZone, ShippingMethod and TaxRate."""
    pricing_tables_bump()
