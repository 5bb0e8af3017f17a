"""The REST API's views, one module per resource (urls.py routes them)."""
