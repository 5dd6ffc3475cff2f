"""Hooks of the ASR plugin: cheap declarations pointing at the code that does the work."""

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
from plugins.asr import eligibility, indicators, loaders
from plugins.asr.scheme import CODE, SCHEME

THEMA_CONTRACT = "1.3"


@hookimpl
def register_schemes() -> Iterable[Scheme]:
    """The ASR scheme."""
    return [SCHEME]


@hookimpl
def register_tables() -> Iterable[Any]:
    """The ASR identification table."""
    from plugins.asr.models import AsrProfile

    return [AsrProfile]


@hookimpl
def register_migrations() -> Iterable[MigrationBranch]:
    """The ASR Alembic branch."""
    return [MigrationBranch(CODE, Path(__file__).parent / "migrations")]


@hookimpl
def register_graphql() -> Iterable[GraphQLContribution]:
    """The ASR identification on households and its mutation."""
    from plugins.asr.graphql import AsrHouseholdFields, AsrMutation

    return [
        GraphQLContribution(
            owner=CODE, query=None, mutation=AsrMutation, extend={"Household": AsrHouseholdFields}
        )
    ]


@hookimpl
def register_eligibility_rules() -> Iterable[EligibilityRule]:
    """The ASR targeting rule."""
    return [
        EligibilityRule(
            CODE, criteria=eligibility.CRITERIA, evaluate=eligibility.evaluate, outcomes=eligibility.outcomes
        )
    ]


@hookimpl
def register_indicators() -> Iterable[Indicator]:
    """The ASR indicators."""
    return list(indicators.INDICATORS)


@hookimpl
def register_sensitive_fields() -> Iterable[SensitiveField]:
    """Suspected psychological troubles are health data."""
    return [
        SensitiveField(
            CODE,
            "AsrProfile",
            "suspected_psychological_troubles",
            SensitiveCategory.HEALTH,
            "Troubles psychiques suspectés (repérage ASR).",
        )
    ]


@hookimpl
def register_demo_data() -> Iterable[DemoData]:
    """Sia Habitat's ASR with six associations: May-December 2019 as published."""
    from plugins.asr.demo import load_demo

    return [
        DemoData(
            CODE,
            load=load_demo,
            description="ASR de Sia Habitat (mai-décembre 2019 : 28 ménages, 82 mois, 30 % en QPV).",
            order=150,
        )
    ]


@hookimpl
def prepare_context(context: RequestContext) -> None:
    """The ASR DataLoaders of the request."""
    loaders.register(context)
