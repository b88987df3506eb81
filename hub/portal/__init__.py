"""The reseller portal as a shop: catalog, cart and checkout, account, wishlist, statement.

Built on catalog, orders, payments and shipping (it uses them; none of them imports it).
"""
