"""Business documents as PDF: one builder (``builder.Document``) every capability prints with.

Invoices, proformas, receipts and packing slips (``hub.orders.documents``) and purchase orders
(``hub.purchasing.documents``) share the layout, the parties' block, the tax split and the
wording in the reader's language, so a change of letterhead or tax rate is made once.
"""
