"""Hooks of the « Seniors à domicile » plugin: declarations only, the work is in the modules beside."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

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

from . import loaders
from .scheme import CODE, SCHEME

if TYPE_CHECKING:
    from sqlmodel import SQLModel

THEMA_CONTRACT = "1.3"


@hookimpl
def register_schemes() -> Iterable[Scheme]:
    """The « Seniors à domicile » scheme."""
    return [SCHEME]


@hookimpl
def register_tables() -> Iterable[type[SQLModel]]:
    """The programme's follow-up table."""
    from .models import SeniorsDomicileVisit

    return [SeniorsDomicileVisit]


@hookimpl
def register_migrations() -> Iterable[MigrationBranch]:
    """The plugin's Alembic branch."""
    return [MigrationBranch(CODE, Path(__file__).parent / "migrations")]


@hookimpl
def register_graphql() -> Iterable[GraphQLContribution]:
    """Household.seniorsDomicile and the contact and visit mutations."""
    from .graphql import CONTRIBUTION

    return [CONTRIBUTION]


@hookimpl
def register_eligibility_rules() -> Iterable[EligibilityRule]:
    """The targeting rule (age, tenant, core target)."""
    from .eligibility import RULE

    return [RULE]


@hookimpl
def register_indicators() -> Iterable[Indicator]:
    """Target population and programme activity indicators."""
    from .indicators import INDICATORS

    return list(INDICATORS)


@hookimpl
def register_sensitive_fields() -> Iterable[SensitiveField]:
    """Observations at home and social-services alerts are social data about a senior."""
    return [
        SensitiveField(
            CODE,
            "SeniorsDomicileVisit",
            "notes",
            SensitiveCategory.HEALTH,
            "Observations de la visite à domicile (autonomie, santé, habitudes de vie).",
        ),
        SensitiveField(
            CODE,
            "SeniorsDomicileVisit",
            "social_services_alert_on",
            SensitiveCategory.SOCIAL,
            "Date du signalement du senior aux services sociaux.",
        ),
        SensitiveField(
            CODE,
            "SeniorsDomicileVisit",
            "social_services_alert",
            SensitiveCategory.SOCIAL,
            "Le senior a été signalé aux services sociaux.",
        ),
    ]


@hookimpl
def register_demo_data() -> Iterable[DemoData]:
    """Oise Habitat's programme: 1,630 targeted households, 842 in the core target."""
    from .demo import load_demo

    return [
        DemoData(
            CODE,
            load=load_demo,
            description=(
                "Oise Habitat, Seniors à domicile (2019-2021) : 13 000 logements, 1630 ménages "
                "de 70 ans et plus dont 842 au cœur de cible, 13 % de refus."
            ),
            order=140,
        )
    ]


@hookimpl
def prepare_context(context: RequestContext) -> None:
    """The loader of households' programme records."""
    loaders.prepare(context)
