"""Hooks of the CHRS plugin: cheap declarations pointing at the code that does the work."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

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
from plugins.chrs import eligibility, indicators, loaders
from plugins.chrs.scheme import CODE, SCHEME

THEMA_CONTRACT = "1.3"


@hookimpl
def register_schemes() -> Iterable[Scheme]:
    """The CHRS scheme."""
    return [SCHEME]


@hookimpl
def register_tables() -> Iterable[Any]:
    """The CHRS profile table."""
    from plugins.chrs.models import ChrsProfile

    return [ChrsProfile]


@hookimpl
def register_migrations() -> Iterable[MigrationBranch]:
    """The CHRS Alembic branch."""
    return [MigrationBranch(CODE, Path(__file__).parent / "migrations")]


@hookimpl
def register_graphql() -> Iterable[GraphQLContribution]:
    """The CHRS profile on households and its mutation."""
    from plugins.chrs.graphql import ChrsHouseholdFields, ChrsMutation

    return [
        GraphQLContribution(
            owner=CODE, query=None, mutation=ChrsMutation, extend={"Household": ChrsHouseholdFields}
        )
    ]


@hookimpl
def register_eligibility_rules() -> Iterable[EligibilityRule]:
    """The CHRS admission rule."""
    return [
        EligibilityRule(
            CODE, criteria=eligibility.CRITERIA, evaluate=eligibility.evaluate, outcomes=eligibility.outcomes
        )
    ]


@hookimpl
def register_indicators() -> Iterable[Indicator]:
    """The CHRS indicators."""
    return list(indicators.INDICATORS)


@hookimpl
def register_sensitive_fields() -> Iterable[SensitiveField]:
    """Violence and health facts of the CHRS profile."""
    return [
        SensitiveField(
            CODE,
            "ChrsProfile",
            "domestic_violence_victim",
            SensitiveCategory.VIOLENCE,
            "Victime de violences conjugales (public prioritaire, ménage confidentiel).",
        ),
        SensitiveField(
            CODE,
            "ChrsProfile",
            "health_difficulty",
            SensitiveCategory.HEALTH,
            "Difficultés de santé importantes.",
        ),
    ]


@hookimpl
def register_demo_data() -> Iterable[DemoData]:
    """The CHRS of the Résidence du Bailly (26 places)."""
    from plugins.chrs.demo import load_demo

    return [
        DemoData(
            CODE,
            load=load_demo,
            description="CHRS de la Résidence du Bailly (Chauny), 26 places, Accueil & Promotion.",
            order=110,
        )
    ]


@hookimpl
def prepare_context(context: RequestContext) -> None:
    """The CHRS DataLoaders of the request."""
    loaders.register(context)
