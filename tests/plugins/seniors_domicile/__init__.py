"""Tests of the « Seniors à domicile » plugin."""
