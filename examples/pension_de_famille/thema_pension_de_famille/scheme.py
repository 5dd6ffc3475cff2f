"""The pension de famille scheme: identity, parameters with their defaults and their sources."""

from __future__ import annotations

from datetime import date

from core import Parameter, ParameterType, Scheme

CODE = "pension_de_famille"

BAILLY = "residence-du-bailly-chauny.txt (Pension de Famille)"

#: The public, as the Résidence du Bailly press release describes it.
PUBLIC = (
    "Les résidents accueillis correspondent à différents profils : personnes isolées en situation "
    "de précarité, personnes victimes d'isolement social et psychologique, personnes aux faibles "
    "ressources, personnes ayant fréquenté régulièrement des structures d'hébergement provisoire, "
    "des victimes de violences conjugales, personnes en rupture familiale, etc…"
)
#: The purpose and the size of the Bailly pension.
PURPOSE = (
    "Pouvant accueillir jusqu'à 25 résidents, l'objectif de cette pension est d'offrir un habitat "
    "durable afin d'apporter un soutien psychologique et rompre l'isolement."
)

PARAMETERS = (
    Parameter(
        "min_age",
        ParameterType.INT,
        18,
        "Âge minimal (inclus)",
        unit="ans",
        description="Le texte ne donne pas d'âge : une pension de famille accueille des adultes, "
        "18 ans par défaut, modifiable par offre.",
        source=PUBLIC,
    ),
    Parameter(
        "max_monthly_resources",
        ParameterType.FLOAT,
        None,
        "Plafond de ressources mensuelles du ménage",
        unit="€/mois",
        description="« Personnes aux faibles ressources » : le texte ne donne pas de montant, le "
        "plafond n'est donc pas fixé par défaut ; une offre peut le fixer.",
        source=PUBLIC,
    ),
)

SCHEME = Scheme(
    code=CODE,
    name="Family boarding house",
    label="Pension de famille",
    version="1.0.0",
    description="Habitat durable, avec une vie collective, pour des personnes isolées en situation "
    "de précarité ou d'exclusion : soutien psychologique et rupture de l'isolement.",
    # Date of the Résidence du Bailly inauguration, the source of these rules.
    effective_from=date(2019, 11, 14),
    parameters=PARAMETERS,
    portfolio_wide=False,
    sources=(BAILLY,),
)
