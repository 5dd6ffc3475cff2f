"""CHRS plugin: Centre d'Hébergement et de Réinsertion Sociale (shelter with social support)."""

__version__ = "1.0.0"
