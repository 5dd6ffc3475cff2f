"""The CHRS scheme: identity, parameters and the source sentences they come from."""

from __future__ import annotations

from datetime import date

from core import Parameter, ParameterType, Scheme

CODE = "chrs"

#: Sources the rules are traced to (see ../shared/SCHEMES.md).
SOURCE_PUBLIC = (
    "Il s'agit de personnes ou familles qui connaissent d'importantes difficultés (économiques, "
    "familiales, de santé ou d'insertion…) et qui ont besoin d'un accompagnement avant de pouvoir "
    "intégrer un logement de droit commun. (Résidence du Bailly, Chauny)"
)
SOURCE_VIOLENCE = (
    "Ce centre peut également accueillir des victimes de violences conjugales. (Résidence du Bailly, Chauny)"
)
SOURCE_FINALITY = (
    "La finalité de ce C.H.R.S. est la réinsertion sociale de ses résidents en les accompagnant "
    "vers un retour à une vie sociale et vers du logement de droit commun. (Résidence du Bailly)"
)
SOURCE_CAPACITY = "Cette partie de la Résidence du Bailly propose 26 places. (Résidence du Bailly)"
SOURCE_REFERRAL = (
    "L'admission en CHRS suit l'orientation du service intégré d'accueil et d'orientation (SIAO) "
    "du département (SCHEMES.md : paramètre requires_referral)."
)

SCHEME = Scheme(
    code=CODE,
    name="Social rehabilitation shelter",
    label="Centre d'Hébergement et de Réinsertion Sociale",
    version="1.0.0",
    description=(
        "Hébergement et accompagnement de personnes ou familles en grande difficulté, vers un "
        "logement de droit commun ; priorité aux victimes de violences conjugales."
    ),
    effective_from=date(2019, 11, 14),
    parameters=(
        Parameter(
            "min_adult_age",
            ParameterType.INT,
            18,
            "Âge minimal d'au moins un membre du ménage (inclus)",
            unit="ans",
            description=(
                "Le ménage compte au moins une personne majeure : les mineurs non accompagnés "
                "relèvent d'autres services."
            ),
            source=SOURCE_PUBLIC,
        ),
        Parameter(
            "requires_referral",
            ParameterType.BOOL,
            True,
            "Orientation par le SIAO requise",
            description=(
                "L'admission suit une orientation par le service départemental d'orientation "
                "(SIAO, organisation de type institution) ; sans elle le verdict est incomplet."
            ),
            source=SOURCE_REFERRAL,
        ),
    ),
    portfolio_wide=False,
    sources=("residence-du-bailly-chauny.txt", "structures-mayenne.txt"),
)
