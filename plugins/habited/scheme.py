"""The HabiTED scheme: identity, parameters with their defaults and source sentence."""

from __future__ import annotations

from datetime import date

from core import Parameter, ParameterType, Scheme

CODE = "habited"

SOURCE = "12-partenariats-remarquables-hdf-2021.txt, pp. 26-29 (HabiTED, 3F Notre Logis)"

PUBLIC = (
    "Jeunes adultes (18 à 40 ans) présentant des troubles de l'autisme ou des Ted avec ou sans "
    "déficience intellectuelle, ayant acquis le verbal. Aptitude à se déplacer dans les "
    "transports en commun, personnes ayant une activité en journée (activités salariées dans le "
    "milieu ordinaire, ateliers protégés, Établissement et Service d'Aide par le Travail, accueil "
    "de jour)."
)
STOCK = (
    "Ainsi, c'est en janvier 2016 que la résidence « HabITeD » a ouvert ses portes. La résidence "
    "compte dix T1 et un T4 commun dédié aux activités proposées aux locataires et aux "
    "permanences d'ISRAA. Chaque locataire paye un loyer de 498€."
)

PARAMETERS = (
    Parameter(
        "min_age",
        ParameterType.INT,
        18,
        "Âge minimal (inclus)",
        unit="ans",
        description="Âge minimal du locataire, en années révolues à la date de référence.",
        source=PUBLIC,
    ),
    Parameter(
        "max_age",
        ParameterType.INT,
        40,
        "Âge maximal (inclus)",
        unit="ans",
        description="Âge maximal du locataire, en années révolues à la date de référence.",
        source=PUBLIC,
    ),
)

SCHEME = Scheme(
    code=CODE,
    name="HabiTED, housing for autistic adults",
    label="HabiTED — habitat accompagné pour adultes avec troubles de l'autisme ou TED",
    version="1.0.0",
    description="Logements adaptés (pictogrammes, codes couleurs) pour jeunes adultes de 18 à "
    "40 ans avec troubles de l'autisme ou TED, autonomes dans les transports, ayant acquis le "
    "verbal et une activité en journée ; accompagnement et gestion intermédiaire par "
    "l'association entre le locataire et le bailleur.",
    # The Roncq residence opened in January 2016.
    effective_from=date(2016, 1, 1),
    parameters=PARAMETERS,
    portfolio_wide=False,
    sources=(SOURCE,),
)
