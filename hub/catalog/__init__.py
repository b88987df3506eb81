"""The master catalog: products, reseller SKU matching, B2B price lists and promotions."""
