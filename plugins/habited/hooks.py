"""Hook implementations of the HabiTED plugin: cheap declarations pointing to the working modules."""

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
from plugins.habited import demo, eligibility, graphql, indicators, loaders, models
from plugins.habited.scheme import CODE, SCHEME

#: Version of the plugin contract this plugin was written for.
THEMA_CONTRACT = "1.3"


@hookimpl
def register_schemes() -> Iterable[Scheme]:
    """The HabiTED scheme and its parameters."""
    return [SCHEME]


@hookimpl
def register_tables() -> Iterable[type[SQLModel]]:
    """The HabiTED profile table."""
    return [models.HabitedProfile]


@hookimpl
def register_migrations() -> Iterable[MigrationBranch]:
    """The ``habited`` Alembic branch."""
    return [MigrationBranch(CODE, Path(__file__).parent / "migrations")]


@hookimpl
def register_graphql() -> Iterable[GraphQLContribution]:
    """``Household.habited`` and ``habitedSetProfile``."""
    return [graphql.CONTRIBUTION]


@hookimpl
def register_eligibility_rules() -> Iterable[EligibilityRule]:
    """Age, diagnosis, verbal language, transport autonomy, daytime activity."""
    return [
        EligibilityRule(
            CODE, criteria=eligibility.CRITERIA, evaluate=eligibility.evaluate, outcomes=eligibility.outcomes
        )
    ]


@hookimpl
def register_indicators() -> Iterable[Indicator]:
    """Occupancy, tenure, daytime activities, support by the association."""
    return list(indicators.INDICATORS)


@hookimpl
def register_sensitive_fields() -> Iterable[SensitiveField]:
    """The diagnosis is health data."""
    return [
        SensitiveField(
            CODE,
            "HabitedProfile",
            "diagnosis",
            SensitiveCategory.HEALTH,
            "Diagnostic de troubles de l'autisme ou de TED du locataire.",
        )
    ]


@hookimpl
def register_demo_data() -> Iterable[DemoData]:
    """The Roncq residence: ten T1, a shared T4, tenants, applicants."""
    return [
        DemoData(
            CODE,
            load=demo.load_demo,
            description="HabiTED Roncq (3F Notre Logis, ISRAA) : dix T1 à 498 €, un T4 commun, "
            "locataires accompagnés et candidatures.",
            order=30,
        )
    ]


@hookimpl
def prepare_context(context: RequestContext) -> None:
    """The request's loader of HabiTED profiles."""
    loaders.profile_loader(context)
