"""Pension de famille: durable housing with a shared life for isolated people in difficulty.

A thema scheme plugin kept outside thema's tree: it was written from the plugin author's guide
(``docs/plugins.md``), starting from ``thema plugin new pension_de_famille``, and is installed with
pip like any third-party plugin. Source: the Résidence du Bailly press release (Chauny, 2019).
"""

__version__ = "1.0.0"
