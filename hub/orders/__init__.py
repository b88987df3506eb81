"""Reseller orders: cart, quick order, CSV and SFTP order files, lifecycle, documents."""
