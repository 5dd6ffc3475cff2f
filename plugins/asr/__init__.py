"""ASR plugin: Accompagnement Social Renforcé (intensive home support of a landlord's tenants)."""

__version__ = "1.0.0"
