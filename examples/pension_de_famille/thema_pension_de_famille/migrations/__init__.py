"""Alembic branch ``pension_de_famille``: the plugin's migrations (Alembic skips this file)."""
