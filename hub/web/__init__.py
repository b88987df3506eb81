"""Server-rendered pages of the hub (Jinja2 + htmx): sign-in, dashboard, explorer, admin, portal."""
