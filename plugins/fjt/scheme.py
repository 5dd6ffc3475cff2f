"""The FJT scheme: identity, parameters with their defaults and source sentences."""

from __future__ import annotations

from datetime import date

from core import Parameter, ParameterType, Scheme

CODE = "fjt"

BAILLY = "residence-du-bailly-chauny.txt"
VIVALDI = "12-partenariats-remarquables-hdf-2021.txt, pp. 6-9 (résidence Vivaldi)"

#: Bailly: "Ce foyer, proposant 40 places, s'adresse aux personnes âgées de 16 à 30 ans, avec
#: priorité à celles âgées de 16 à 25 ans, en activité salariée, en formation, en alternance, en
#: stage professionnel ou alors en recherche d'emploi."
BAILLY_PUBLIC = (
    "s'adresse aux personnes âgées de 16 à 30 ans, avec priorité à celles âgées de 16 à 25 ans, "
    "en activité salariée, en formation, en alternance, en stage professionnel ou alors en "
    "recherche d'emploi"
)
VIVALDI_QUOTA = (
    "Plus de 60% des jeunes accueillis dans ces Résidence Jeunes Actifs doivent être, soit en "
    "activité salariée, soit en formation ou en alternance, soit en stage professionnel ou en "
    "recherche active d'emploi."
)
VIVALDI_PUBLIC = (
    "Cette résidence s'adresse en priorité aux jeunes âgés de moins de 30 ans avec revenus modestes."
)
VIVALDI_T2 = "Les T2 sont destinés aux jeunes couples et/ou familles monoparentales."

PARAMETERS = (
    Parameter(
        "min_age",
        ParameterType.INT,
        16,
        "Âge minimal (inclus)",
        unit="ans",
        description="Âge minimal, en années révolues à la date de référence, de chaque jeune "
        "du ménage (hors enfants).",
        source=BAILLY_PUBLIC,
    ),
    Parameter(
        "max_age",
        ParameterType.INT,
        30,
        "Âge maximal (inclus)",
        unit="ans",
        description="Âge maximal, en années révolues à la date de référence, de chaque jeune "
        "du ménage (hors enfants). La résidence Vivaldi (« moins de 30 ans ») est à 29.",
        source=BAILLY_PUBLIC,
    ),
    Parameter(
        "priority_max_age",
        ParameterType.INT,
        25,
        "Âge maximal du public prioritaire (inclus)",
        unit="ans",
        description="Les jeunes de 16 à cet âge sont prioritaires.",
        source=BAILLY_PUBLIC,
    ),
    Parameter(
        "activity_share_min",
        ParameterType.FLOAT,
        0.60,
        "Part minimale de jeunes en activité parmi les résidents",
        unit="part (0-1)",
        description="Quota collectif : un candidat hors activité n'est admissible que si la part "
        "de jeunes en activité parmi les résidents de l'offre reste au moins égale à ce seuil "
        "après son admission.",
        source=VIVALDI_QUOTA,
    ),
    Parameter(
        "max_monthly_resources",
        ParameterType.FLOAT,
        None,
        "Plafond de ressources mensuelles du ménage",
        unit="€/mois",
        description="Plafond optionnel (« revenus modestes ») ; non fixé par défaut : les textes "
        "ne donnent pas de montant.",
        source=VIVALDI_PUBLIC,
    ),
)

SCHEME = Scheme(
    code=CODE,
    name="Young workers' hostel",
    label="Foyer de Jeunes Travailleurs / Résidence Jeunes Actifs",
    version="1.0.0",
    description="Logement temporaire meublé pour les jeunes de 16 à 30 ans en activité, en "
    "formation ou en recherche d'emploi, avec priorité aux 16-25 ans et au moins 60 % de "
    "résidents en activité.",
    # Date of the Résidence du Bailly inauguration, the earliest source of these rules.
    effective_from=date(2019, 11, 14),
    parameters=PARAMETERS,
    portfolio_wide=False,
    sources=(BAILLY, VIVALDI),
)
