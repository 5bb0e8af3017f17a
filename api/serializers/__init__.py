"""What the API answers with, one module per resource (and common.py for what they share)."""
