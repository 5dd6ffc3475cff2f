"""Hook implementations: cheap declarations pointing to the modules that do the work."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlmodel import SQLModel

from core import (
    DemoData,
    EligibilityRule,
    GraphQLContribution,
    Indicator,
    MigrationBranch,
    RequestContext,
    Scheme,
    SensitiveCategory,
    SensitiveField,
    hookimpl,
)
from thema_pension_de_famille import demo, eligibility, graphql, indicators, loaders, models
from thema_pension_de_famille.scheme import CODE, SCHEME

#: Version of the plugin contract this plugin was written for (thema refuses an incompatible one).
THEMA_CONTRACT = "1.1"


@hookimpl
def register_schemes() -> Iterable[Scheme]:
    """The scheme and its parameters."""
    return [SCHEME]


@hookimpl
def register_tables() -> Iterable[type[SQLModel]]:
    """The household profile table."""
    return [models.PensionDeFamilleProfile]


@hookimpl
def register_migrations() -> Iterable[MigrationBranch]:
    """The ``pension_de_famille`` Alembic branch."""
    return [MigrationBranch(CODE, Path(__file__).parent / "migrations")]


@hookimpl
def register_graphql() -> Iterable[GraphQLContribution]:
    """``Household.pensionDeFamille`` and ``pensionDeFamilleSetProfile``."""
    return [graphql.CONTRIBUTION]


@hookimpl
def register_eligibility_rules() -> Iterable[EligibilityRule]:
    """Adult, alone and isolated, in a situation of the public, resources under the ceiling."""
    return [EligibilityRule(CODE, criteria=eligibility.CRITERIA, evaluate=eligibility.evaluate)]


@hookimpl
def register_indicators() -> Iterable[Indicator]:
    """Residents, occupancy rate, share of residents housed for a year or more."""
    return list(indicators.INDICATORS)


@hookimpl
def register_sensitive_fields() -> Iterable[SensitiveField]:
    """Psychological isolation (health), domestic violence, and the notes on the situation."""
    return [
        SensitiveField(
            CODE,
            "PensionDeFamilleProfile",
            "social_isolation",
            SensitiveCategory.HEALTH,
            "Victime d'isolement social et psychologique.",
        ),
        SensitiveField(
            CODE,
            "PensionDeFamilleProfile",
            "domestic_violence_victim",
            SensitiveCategory.VIOLENCE,
            "Victime de violences conjugales.",
        ),
        SensitiveField(
            CODE,
            "PensionDeFamilleProfile",
            "support_notes",
            SensitiveCategory.SOCIAL,
            "Notes sur la situation de la personne accueillie.",
        ),
    ]


@hookimpl
def register_demo_data() -> Iterable[DemoData]:
    """The Résidence du Bailly's pension de famille: 25 places, Accueil & Promotion, Clésence."""
    return [
        DemoData(
            CODE,
            load=demo.load_demo,
            description="Pension de famille de la Résidence du Bailly (Chauny) : 25 places, gérée par "
            "Accueil & Promotion pour Clésence, et ses résidents.",
        )
    ]


@hookimpl
def prepare_context(context: RequestContext) -> None:
    """The request's loader of profiles."""
    loaders.profile_loader(context)
