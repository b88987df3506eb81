"""Errors of the catalog, named by what the caller should do."""

from __future__ import annotations

from shared.errors import DataError, NotFound


class ProductNotPriced(DataError):
    """The product cannot be sold to this reseller: inactive, or in none of its price lists."""


class UnknownProduct(NotFound):
    """No master product with that id or SKU."""


class ImportRefused(DataError):
    """A catalog file has rows with errors; ``context['errors']`` lists them per row."""
