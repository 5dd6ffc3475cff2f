"""The ASR scheme: identity, parameters and the source sentences they come from."""

from __future__ import annotations

from datetime import date

from core import Parameter, ParameterType, Scheme

CODE = "asr"

SOURCE = "12-partenariats-remarquables-hdf-2021.txt, pp. 46-49 (Sia Habitat, 2019)"
SOURCE_PUBLIC = (
    "Locataires isolés en situation de grande précarité dans leur logement ou susceptibles de "
    "souffrir de troubles psychiques. (Sia Habitat, ASR)"
)
SOURCE_IDENTIFICATION = (
    "La première étape est l'identification des situations pouvant entrer dans le cadre du "
    "protocole de l'Accompagnement Social Renforcé. Les équipes du bailleur spécialisées dans le "
    "recouvrement assurent alors le lancement et l'ensemble du suivi de la procédure. (Sia Habitat)"
)
SOURCE_VISITS = (
    "Il s'agit d'un accompagnement intensif à domicile (au moins une visite par semaine). (Sia Habitat, ASR)"
)
SOURCE_FIGURES = (
    "Sur la période de mai 2019 à décembre 2019, 28 ménages ont été accompagnés ; soit une "
    "équivalence de 82 mois d'accompagnement ; 30% des ménages accompagnés résident en QPV. "
    "(Sia Habitat, ASR)"
)

SCHEME = Scheme(
    code=CODE,
    name="Intensive social support",
    label="Accompagnement Social Renforcé",
    version="1.0.0",
    description=(
        "Accompagnement intensif à domicile (au moins une visite par semaine) de locataires isolés "
        "en grande précarité ou susceptibles de souffrir de troubles psychiques, repérés par "
        "l'équipe de recouvrement du bailleur et suivis par des associations partenaires."
    ),
    effective_from=date(2019, 5, 1),
    parameters=(
        Parameter(
            "min_visits_per_week",
            ParameterType.INT,
            1,
            "Nombre minimal de visites à domicile par semaine",
            unit="visites / semaine",
            description=(
                "Une semaine d'accompagnement est conforme quand elle compte au moins ce nombre "
                "de visites (indicateur weekly_visit_share)."
            ),
            source=SOURCE_VISITS,
        ),
        Parameter(
            "visit_kinds",
            ParameterType.STRING_LIST,
            ["home_visit"],
            "Types de contact comptés comme visites",
            description=(
                "Types de contact (home_visit, office_visit, phone, other) comptés comme une "
                "visite ; par défaut les seules visites à domicile (« accompagnement intensif à "
                "domicile »)."
            ),
            source=SOURCE_VISITS,
        ),
    ),
    portfolio_wide=True,
    sources=(SOURCE,),
)
