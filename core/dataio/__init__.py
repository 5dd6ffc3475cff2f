"""Data in and out: landlords' spreadsheets imported, connections exported, data-subject rights."""
