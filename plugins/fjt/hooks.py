"""Hook implementations of the FJT plugin: cheap declarations pointing to the modules that work."""

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
    SensitiveField,
    hookimpl,
)
from plugins.fjt import demo, eligibility, graphql, indicators, loaders, models
from plugins.fjt.scheme import CODE, SCHEME

#: Version of the plugin contract this plugin was written for.
THEMA_CONTRACT = "1.3"


@hookimpl
def register_schemes() -> Iterable[Scheme]:
    """The FJT scheme and its parameters."""
    return [SCHEME]


@hookimpl
def register_tables() -> Iterable[type[SQLModel]]:
    """The FJT profile table."""
    return [models.FjtProfile]


@hookimpl
def register_migrations() -> Iterable[MigrationBranch]:
    """The ``fjt`` Alembic branch."""
    return [MigrationBranch(CODE, Path(__file__).parent / "migrations")]


@hookimpl
def register_graphql() -> Iterable[GraphQLContribution]:
    """``Household.fjt``, ``Offer.fjtActivityQuota`` and ``fjtSetProfile``."""
    return [graphql.CONTRIBUTION]


@hookimpl
def register_eligibility_rules() -> Iterable[EligibilityRule]:
    """Age, activity quota, resources, composition; priority 16-25 ans."""
    return [
        EligibilityRule(
            CODE, criteria=eligibility.CRITERIA, evaluate=eligibility.evaluate, outcomes=eligibility.outcomes
        )
    ]


@hookimpl
def register_indicators() -> Iterable[Indicator]:
    """Occupancy, 16-25 share, activity share, length of stay, arrivals and departures."""
    return list(indicators.INDICATORS)


@hookimpl
def register_sensitive_fields() -> Iterable[SensitiveField]:
    """None: the FJT file holds no health or violence data (activity is not sensitive)."""
    return []


@hookimpl
def register_demo_data() -> Iterable[DemoData]:
    """Résidence Vivaldi (Soissons) and Résidence du Bailly (Chauny) FJT offers."""
    return [
        DemoData(
            CODE,
            load=demo.load_demo,
            description="FJT Résidence Vivaldi (42 logements, moins de 30 ans) et FJT Résidence "
            "du Bailly (40 places) : résidents, entrées et sorties 2025, candidatures.",
            order=10,
        )
    ]


@hookimpl
def prepare_context(context: RequestContext) -> None:
    """The request's loader of FJT profiles."""
    loaders.profile_loader(context)
