"""A small scheme plugin used by the core's tests: ages, a dated parameter, one indicator."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy import func, select
from strawberry.types import Info

from core import (
    Criterion,
    CriterionKind,
    CriterionResult,
    EligibilityRequest,
    EligibilityRule,
    GraphQLContribution,
    Indicator,
    IndicatorRequest,
    IndicatorResult,
    IndicatorUnit,
    Outcome,
    Parameter,
    ParameterType,
    ParameterVersion,
    Scheme,
    SensitiveCategory,
    SensitiveField,
    hookimpl,
)
from core.models import Occupancy

THEMA_CONTRACT = "1.0"
__version__ = "0.9.0"

SCHEME = Scheme(
    code="sample",
    name="Sample scheme",
    label="Dispositif d'exemple",
    version="1.0.0",
    description="Public de 18 à max_age ans.",
    effective_from=date(2020, 1, 1),
    parameters=(
        Parameter("min_age", ParameterType.INT, 18, "Âge minimal", unit="ans"),
        Parameter("max_age", ParameterType.INT, 30, "Âge maximal", unit="ans"),
    ),
    parameter_versions=(ParameterVersion(date(2025, 1, 1), {"max_age": 35}, "Relèvement"),),
)


def evaluate(req: EligibilityRequest) -> dict[int, list[CriterionResult]]:
    """Age of the reference person within [min_age, max_age]; priority when isolated."""
    lo, hi = req.parameters.values["min_age"], req.parameters.values["max_age"]
    out: dict[int, list[CriterionResult]] = {}
    for hid in req.household_ids:
        person = req.facts[hid].reference_person
        age = person.age(req.reference_date) if person else None
        if age is None:
            age_result = CriterionResult(
                "sample.age", Outcome.UNKNOWN, "Date de naissance inconnue.", None, f"{lo}-{hi}"
            )
        else:
            ok = lo <= age <= hi
            age_result = CriterionResult(
                "sample.age",
                Outcome.SATISFIED if ok else Outcome.NOT_SATISFIED,
                f"{age} ans",
                str(age),
                f"{lo}-{hi}",
            )
        isolated = person.isolated if person else None
        prio = (
            Outcome.UNKNOWN
            if isolated is None
            else (Outcome.SATISFIED if isolated else Outcome.NOT_SATISFIED)
        )
        out[hid] = [age_result, CriterionResult("sample.isolated", prio, "Isolement")]
    return out


def occupied(req: IndicatorRequest) -> IndicatorResult:
    """Households in the scheme's offers at the end of the period."""
    n = req.session.execute(
        select(func.count(func.distinct(Occupancy.household_id))).where(
            Occupancy.offer_id.in_(req.offer_ids),  # type: ignore[union-attr]
            Occupancy.start_date <= req.period.end,
        )
    ).scalar_one()
    return IndicatorResult(float(n), float(n))


def occupied_households(req: IndicatorRequest):  # type: ignore[no-untyped-def]
    """Drill-down of ``occupied``."""
    return select(Occupancy.household_id).where(
        Occupancy.offer_id.in_(req.offer_ids),
        Occupancy.start_date <= req.period.end,  # type: ignore[union-attr]
    )


@strawberry.type(description="Sample fields on households.")
class SampleHouseholdFields:
    """Mixin."""

    @strawberry.field(description="A greeting proving the plugin extended Household.")
    def sample_greeting(self, info: Info) -> str | None:
        """Greeting."""
        return f"bonjour {self.reference}"  # type: ignore[attr-defined]


@strawberry.type(description="Sample root fields.")
class SampleQuery:
    """Mixin."""

    @strawberry.field(description="Ping.")
    def sample_ping(self) -> str:
        """Ping."""
        return "pong"


@hookimpl
def register_schemes() -> list[Scheme]:
    """The sample scheme."""
    return [SCHEME]


@hookimpl
def register_eligibility_rules() -> list[EligibilityRule]:
    """The age rule."""
    return [
        EligibilityRule(
            "sample",
            (
                Criterion("sample.age", "Âge"),
                Criterion("sample.isolated", "Isolement", CriterionKind.PRIORITY),
            ),
            evaluate,
        )
    ]


@hookimpl
def register_indicators() -> list[Indicator]:
    """One count."""
    return [
        Indicator(
            "sample",
            "occupied",
            "Ménages logés",
            IndicatorUnit.COUNT,
            "Ménages ayant occupé un logement de l'offre.",
            occupied,
            occupied_households,
        )
    ]


@hookimpl
def register_graphql() -> list[GraphQLContribution]:
    """A field on Household and a root field."""
    return [
        GraphQLContribution(owner="sample", query=SampleQuery, extend={"Household": SampleHouseholdFields})
    ]


@hookimpl
def register_sensitive_fields() -> list[SensitiveField]:
    """None real; one declared for the catalogue."""
    return [SensitiveField("sample", "Household", "sample_greeting", SensitiveCategory.SOCIAL, "Exemple")]
