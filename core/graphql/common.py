"""GraphQL types shared by every schema build: enums, user errors, verdicts, scheme catalogue."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.scalars import JSON

from core import contract, models
from core.graphql.relay import to_global_id

_ENUMS: tuple[tuple[Any, str], ...] = (
    (models.OrganisationKind, "What an organisation is."),
    (models.PartnershipRole, "What a partner does for the granting organisation."),
    (models.PartnershipScope, "What a partnership covers."),
    (models.Typology, "Typology of a unit (T1, T1 bis, T2…)."),
    (models.MemberRole, "Place of a person in the household."),
    (models.Activity, "Activity situation of a person."),
    (models.ExitDestination, "Where a household went when an occupancy ended."),
    (models.ReferralDecision, "State of a referral."),
    (models.ContactKind, "How a support contact happened."),
    (contract.Status, "Overall eligibility status."),
    (contract.Outcome, "Result of one criterion."),
    (contract.CriterionKind, "Required criteria decide; priority criteria rank."),
    (contract.IndicatorUnit, "Unit of an indicator value."),
    (contract.ParameterType, "Type of a parameter value."),
    (contract.SensitiveCategory, "Why a field is sensitive."),
    (contract.ScopeKind, "What an indicator is computed over."),
)
for _enum, _description in _ENUMS:
    # strawberry.enum marks the class itself, so the Python enums are the GraphQL enums.
    strawberry.enum(_enum, description=_description)

OrganisationKind = models.OrganisationKind
PartnershipRole = models.PartnershipRole
PartnershipScope = models.PartnershipScope
Typology = models.Typology
MemberRole = models.MemberRole
Activity = models.Activity
ExitDestination = models.ExitDestination
ReferralDecision = models.ReferralDecision
ContactKind = models.ContactKind
Status = contract.Status
Outcome = contract.Outcome
CriterionKind = contract.CriterionKind
IndicatorUnit = contract.IndicatorUnit
ParameterType = contract.ParameterType
SensitiveCategory = contract.SensitiveCategory
ScopeKind = contract.ScopeKind


@strawberry.type(description="A problem with the input of a mutation; nothing was written.")
class UserError:
    """A typed, stable error for the client to show next to a field."""

    field: str | None = strawberry.field(
        description="Path of the input field at fault (camelCase, dotted), null for the whole input."
    )
    code: str = strawberry.field(description="Stable machine code, e.g. `DATE_ORDER`, `NOT_FOUND`.")
    message: str = strawberry.field(description="Explanation in French, for the end user.")


@strawberry.type(description="One criterion of a verdict, evaluated for the household.")
class CriterionResult:
    """A criterion's outcome with the value compared and the threshold."""

    code: str = strawberry.field(description="Stable code of the criterion, e.g. `pension.age`.")
    kind: CriterionKind = strawberry.field(description="Required or priority criterion.")
    outcome: Outcome = strawberry.field(description="Satisfied, not satisfied, or unknown.")
    message: str = strawberry.field(description="Explanation in French.")
    value: str | None = strawberry.field(description="The household's value that was compared.")
    threshold: str | None = strawberry.field(description="The threshold or list it was compared to.")


@strawberry.type(description="The parameters used for a computation, with their version.")
class ParameterSnapshot:
    """Which parameter version applied, from when, with which values."""

    version: str = strawberry.field(
        description="Version label: `<scheme>@<effective date>`, plus the offer's overrides."
    )
    effective_from: date = strawberry.field(description="Date from which this version applies.")
    values: JSON = strawberry.field(description="Parameter values used, by key.")
    overridden: list[str] = strawberry.field(description="Keys overridden by the offer.")

    @staticmethod
    def of(snap: contract.ParameterSnapshot) -> ParameterSnapshot:
        """Convert the contract value."""
        return ParameterSnapshot(
            version=snap.version,
            effective_from=snap.effective_from,
            values=dict(snap.values),  # type: ignore[arg-type]
            overridden=list(snap.overridden),
        )


@strawberry.type(description="Eligibility of a household for a scheme (and offer) at a date.")
class Verdict:
    """A verdict: status, every criterion, the parameter version and the reference date."""

    scheme: str = strawberry.field(description="Code of the scheme.")
    status: Status = strawberry.field(description="PRIORITY, ELIGIBLE, INELIGIBLE or INCOMPLETE.")
    offer_id: strawberry.ID | None = strawberry.field(description="Global id of the offer, if any.")
    reference_date: date = strawberry.field(description="Date at which the rules were applied.")
    parameter_version: str = strawberry.field(description="Version of the parameters used.")
    # The contract's criteria carry the same attributes as the GraphQL type: served as they are.
    criteria: list[CriterionResult] = strawberry.field(description="Every criterion, evaluated.")
    verdict: strawberry.Private[contract.Verdict]

    @strawberry.field(description="Global id of the household.")
    def household_id(self) -> strawberry.ID:
        """Computed when asked: a page of verdicts rarely shows it."""
        return strawberry.ID(to_global_id("Household", self.verdict.household_id))

    @strawberry.field(description="The parameters used.")
    def parameters(self) -> ParameterSnapshot:
        """Converted when asked."""
        return ParameterSnapshot.of(self.verdict.parameters)

    @strawberry.field(description="Required criteria not satisfied: why the household is ineligible.")
    def failing(self) -> list[CriterionResult]:
        """Shortcut for front-ends: an unmet priority criterion is not a failure."""
        return [
            c
            for c in self.criteria
            if c.outcome is contract.Outcome.NOT_SATISFIED and c.kind is contract.CriterionKind.REQUIRED
        ]

    @strawberry.field(description="Criteria whose facts are unknown, required ones first: what to ask for.")
    def missing(self) -> list[CriterionResult]:
        """Shortcut for front-ends."""
        unknown = [c for c in self.criteria if c.outcome is contract.Outcome.UNKNOWN]
        return sorted(unknown, key=lambda c: c.kind is not contract.CriterionKind.REQUIRED)

    @staticmethod
    def of(v: contract.Verdict) -> Verdict:
        """Convert the contract value."""
        return Verdict(
            scheme=v.scheme,
            status=v.status,
            offer_id=strawberry.ID(to_global_id("Offer", v.offer_id)) if v.offer_id else None,
            reference_date=v.reference_date,
            parameter_version=v.parameters.version,
            criteria=v.criteria,  # type: ignore[arg-type]
            verdict=v,
        )


@strawberry.type(description="A tunable rule of a scheme.")
class SchemeParameter:
    """A parameter with its default."""

    key: str = strawberry.field(description="Parameter key, used in an offer's `parameters`.")
    type: ParameterType = strawberry.field(description="Type of the value.")
    label: str = strawberry.field(description="French label.")
    unit: str | None = strawberry.field(description="Unit of the value, if any.")
    default: JSON | None = strawberry.field(description="Default value (null: unset).")
    description: str = strawberry.field(description="What the parameter does.")
    source: str = strawberry.field(description="Source sentence the rule comes from.")


@strawberry.type(description="Parameter values that apply from a date.")
class SchemeParameterVersion:
    """A dated change of parameters."""

    effective_from: date = strawberry.field(description="Date from which the values apply.")
    values: JSON = strawberry.field(description="Values changed at that date.")
    note: str = strawberry.field(description="Why they changed.")


@strawberry.type(description="A criterion a scheme checks.")
class SchemeCriterion:
    """Catalogue entry of a criterion."""

    code: str = strawberry.field(description="Stable code.")
    label: str = strawberry.field(description="French label.")
    kind: CriterionKind = strawberry.field(description="Required or priority.")
    source: str = strawberry.field(description="Source sentence.")


@strawberry.type(description="An indicator a scheme computes.")
class IndicatorDefinition:
    """Catalogue entry of an indicator."""

    key: str = strawberry.field(description="Stable key.")
    label: str = strawberry.field(description="French label.")
    unit: IndicatorUnit = strawberry.field(description="Unit of the value.")
    definition: str = strawberry.field(description="How it is computed, in French.")
    target: float | None = strawberry.field(description="Target value, when the texts give one.")
    target_label: str | None = strawberry.field(description="Target as written in the source.")
    has_drill_down: bool = strawberry.field(description="Whether the households counted can be listed.")


@strawberry.type(description="A field a plugin declares sensitive.")
class SensitiveFieldInfo:
    """Catalogue entry of a sensitive field."""

    type_name: str = strawberry.field(description="GraphQL type holding the field.")
    field_name: str = strawberry.field(description="Name of the field (Python name).")
    category: SensitiveCategory = strawberry.field(description="Category of sensitive data.")
    description: str = strawberry.field(description="What the field holds.")
    permission: str = strawberry.field(description="Permission needed to read it.")


def parameter_info(p: contract.Parameter) -> SchemeParameter:
    """Convert a declared parameter."""
    return SchemeParameter(
        key=p.key,
        type=p.type,
        label=p.label,
        unit=p.unit,
        default=p.default,
        description=p.description,
        source=p.source,
    )


def jsonable(value: Any) -> Any:
    """Dates as ISO strings inside JSON values."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
