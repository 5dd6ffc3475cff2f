"""``make bench``: a landlord at real scale, measured against baselines run in the same process."""
