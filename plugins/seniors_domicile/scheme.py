"""The « Seniors à domicile » scheme: identity, parameters and their dated versions, sources."""

from __future__ import annotations

from datetime import date

from core import Parameter, ParameterType, ParameterVersion, Scheme

CODE = "seniors_domicile"

SOURCE = "12-partenariats-remarquables-hdf-2021.txt, pp. 30-33 (Oise Habitat, Carsat, Tandem Immobilier)"

#: "Les ménages sont ciblés sur le critère de l'âge (70 ans et plus) soit 1630 seniors."
AGE_SOURCE = "Les ménages sont ciblés sur le critère de l'âge (70 ans et plus) soit 1630 seniors."
#: The core target: the most fragile, socially (isolation) or economically.
CORE_TARGET_SOURCE = (
    "Parmi ceux-ci, 842 seniors parmi les plus fragiles socialement (isolement) ou "
    "économiquement, constituent la cible du cœur de projet de la Carsat."
)
TENANT_SOURCE = (
    "Un diagnostic à cette échelle, sur la totalité des logements occupés par des seniors"
    " (1630 locataires de 70 ans et plus concernés, 13 000 logements)."
)
REFUSAL_SOURCE = "A ce jour, le taux de refus est de 13%."
VISIT_SOURCE = (
    "Ce premier entretien se poursuit par une visite à domicile d'une à deux heures en fonction "
    "de la nature de l'intervention."
)
REACH_SOURCE = (
    "La nôtre a consisté à rencontrer personnellement chacun de nos locataires concernés pour "
    "établir un diagnostic préalable à tout investissement."
)

#: The texts do not say where economic fragility starts: the default is the minimum old-age
#: income, the ASPA for a person living alone (868.20 €/month on 1 January 2019), and the
#: parameter follows its legal revaluations (dated versions below), so a verdict for a 2019
#: date keeps the 2019 level. An offer may set another threshold.
ASPA_2019 = 868.20
ASPA_REVALUATIONS: tuple[tuple[date, float], ...] = (
    (date(2020, 1, 1), 903.20),
    (date(2021, 1, 1), 906.81),
    (date(2022, 1, 1), 916.78),
    (date(2022, 7, 1), 953.45),
    (date(2023, 1, 1), 961.08),
    (date(2024, 1, 1), 1012.02),
    (date(2025, 1, 1), 1034.28),
)

PARAMETERS = (
    Parameter(
        "min_age",
        ParameterType.INT,
        70,
        "Âge minimal d'un membre du ménage (inclus, en années révolues)",
        unit="ans",
        description="Un ménage est ciblé si l'un de ses membres a au moins cet âge.",
        source=AGE_SOURCE,
    ),
    Parameter(
        "fragile_max_monthly_resources",
        ParameterType.FLOAT,
        ASPA_2019,
        "Ressources mensuelles maximales du ménage pour la fragilité économique (incluses)",
        unit="€/mois",
        description=(
            "Un ménage dont le total des ressources mensuelles est au plus ce montant est "
            "économiquement fragile (cœur de cible). Par défaut : le montant de l'ASPA "
            "(minimum vieillesse) pour une personne seule, revalorisé à chaque date légale."
        ),
        source=CORE_TARGET_SOURCE,
    ),
)

SCHEME = Scheme(
    code=CODE,
    name="Seniors at home",
    label="Seniors à domicile",
    version="1.0.0",
    description=(
        "Programme sur tout le patrimoine d'un bailleur pour maintenir à domicile les locataires "
        "de 70 ans et plus : contact téléphonique, visite-diagnostic à domicile (sécurité "
        "domestique, prévention des chutes, confort et autonomie), pose d'un kit éco, relais "
        "des offres de la Carsat, intervention technique d'urgence ou signalement aux services "
        "sociaux si besoin. Cœur de cible : les seniors isolés ou économiquement fragiles."
    ),
    effective_from=date(2019, 8, 1),
    parameters=PARAMETERS,
    parameter_versions=tuple(
        ParameterVersion(
            on,
            {"fragile_max_monthly_resources": amount},
            note=f"Revalorisation de l'ASPA (personne seule) au {on.strftime('%d/%m/%Y')}.",
        )
        for on, amount in ASPA_REVALUATIONS
    ),
    portfolio_wide=True,
    sources=(SOURCE,),
)
