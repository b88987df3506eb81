"""Hub stock: on hand, reserved by open orders, shipped; receipts of purchased stock."""
