"""Reading the merged data: JSON API routes and `synchub data` CLI (current, as-of, CSV)."""
