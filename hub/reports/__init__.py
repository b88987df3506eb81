"""Reports for the director: sales, money, purchases, stock, statements; dashboard; period close."""
