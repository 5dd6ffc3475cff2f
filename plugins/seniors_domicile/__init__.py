"""« Seniors à domicile »: keeping a landlord's older tenants at home (Oise Habitat, Carsat, 2019)."""

__version__ = "1.0.0"
