"""The small typed values plugins return from their hooks, and the values the core hands them back.

Everything here is part of the plugin contract (see ``core/hookspecs.py``): frozen dataclasses,
never loose dicts. Additions are backwards compatible; the contract version says what a plugin needs.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlmodel import Session

    from core.facts import HouseholdFacts
    from core.models import Offer
    from core.population import PopulationFrame

#: Version of the hook contract this core implements (major.minor). A plugin declaring a
#: different major, or a higher minor, is refused at start-up.
CONTRACT_VERSION = "1.4"


class ParameterType(enum.StrEnum):
    """Type of a scheme parameter's value."""

    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    STRING = "string"
    STRING_LIST = "string_list"


@dataclass(frozen=True)
class Parameter:
    """A tunable rule of a scheme, with its default; offers may override it.

    Example: ``Parameter("max_age", ParameterType.INT, 30, "Âge maximal (inclus)", unit="ans")``.
    """

    key: str
    type: ParameterType
    default: Any
    label: str
    unit: str | None = None
    description: str = ""
    source: str = ""

    def coerce(self, value: Any) -> Any:
        """Return ``value`` converted to this parameter's type, or raise ``ValueError``."""
        if value is None:
            return None
        if self.type is ParameterType.BOOL:
            if isinstance(value, bool):
                return value
            raise ValueError("booléen attendu")
        if self.type is ParameterType.INT:
            if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
                raise ValueError("entier attendu")
            return int(value)
        if self.type is ParameterType.FLOAT:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError("nombre attendu")
            return float(value)
        if self.type is ParameterType.STRING_LIST:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError("liste de textes attendue")
            return list(value)
        if not isinstance(value, str):
            raise ValueError("texte attendu")
        return value


@dataclass(frozen=True)
class ParameterVersion:
    """Values of a scheme's parameters that apply from ``effective_from`` (later ones win)."""

    effective_from: date
    values: Mapping[str, Any]
    note: str = ""


@dataclass(frozen=True)
class ParameterSnapshot:
    """The parameters used for one computation: which version, from when, with which values."""

    version: str
    effective_from: date
    values: Mapping[str, Any]
    overridden: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scheme:
    """A thematic offer a plugin implements (a youth hostel, a shelter…): identity and dated parameters.

    ``parameters`` give the defaults that apply from ``effective_from``; ``parameter_versions``
    list later changes, each from its own date, so a verdict computed for an earlier date keeps
    the rules of that date.
    """

    code: str
    name: str
    label: str
    version: str
    description: str
    effective_from: date
    parameters: tuple[Parameter, ...] = ()
    parameter_versions: tuple[ParameterVersion, ...] = ()
    portfolio_wide: bool = False
    sources: tuple[str, ...] = ()

    def parameter(self, key: str) -> Parameter | None:
        """Return the declared parameter ``key``, if any."""
        return next((p for p in self.parameters if p.key == key), None)

    def parameters_at(
        self, reference_date: date, overrides: Mapping[str, Any] | None = None
    ) -> ParameterSnapshot:
        """Resolve the parameters in force at ``reference_date``, then apply an offer's overrides."""
        values = {p.key: p.default for p in self.parameters}
        effective_from = self.effective_from
        for pv in sorted(self.parameter_versions, key=lambda v: v.effective_from):
            if pv.effective_from <= reference_date:
                values.update(pv.values)
                effective_from = pv.effective_from
        overridden: tuple[str, ...] = ()
        if overrides:
            known = {k: v for k, v in overrides.items() if k in values}
            values.update(known)
            overridden = tuple(sorted(known))
        version = f"{self.code}@{effective_from.isoformat()}"
        if overridden:
            version += "+offre(" + ",".join(overridden) + ")"
        return ParameterSnapshot(version, effective_from, values, overridden)


class CriterionKind(enum.StrEnum):
    """A required criterion decides eligibility; a priority criterion only raises it to PRIORITY."""

    REQUIRED = "required"
    PRIORITY = "priority"


class Outcome(enum.StrEnum):
    """Result of one criterion for one household."""

    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"
    UNKNOWN = "unknown"

    @property
    def code(self) -> int:
        """The small integer a set-based rule may return for this outcome in SQL (since 1.3).

        0 satisfied, 1 not satisfied, 2 unknown: integers travel from the database to Python
        faster than text; ``outcomes`` SELECTs may return either form.
        """
        return _OUTCOME_CODES[self]


_OUTCOME_CODES = {Outcome.SATISFIED: 0, Outcome.NOT_SATISFIED: 1, Outcome.UNKNOWN: 2}


class Status(enum.StrEnum):
    """Overall eligibility status."""

    PRIORITY = "priority"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Criterion:
    """A criterion a scheme's rule checks, as listed in the scheme catalogue."""

    code: str
    label: str
    kind: CriterionKind = CriterionKind.REQUIRED
    source: str = ""


@dataclass(frozen=True)
class CriterionResult:
    """One criterion evaluated for one household: outcome, French message, value vs threshold."""

    code: str
    outcome: Outcome
    message: str
    value: str | None = None
    threshold: str | None = None
    kind: CriterionKind = CriterionKind.REQUIRED


@dataclass(frozen=True)
class Verdict:
    """Eligibility of one household for one scheme (and offer) at a reference date."""

    scheme: str
    household_id: int
    offer_id: int | None
    status: Status
    criteria: tuple[CriterionResult, ...]
    reference_date: date
    parameters: ParameterSnapshot

    @staticmethod
    def status_of(criteria: Sequence[CriterionResult]) -> Status:
        """The status criteria give: a failed requirement wins, then an unknown one, then priority."""
        unknown = priority = False
        for c in criteria:
            kind, outcome = c.kind, c.outcome
            if kind is CriterionKind.REQUIRED:
                if outcome is Outcome.NOT_SATISFIED:
                    return Status.INELIGIBLE
                if outcome is Outcome.UNKNOWN:
                    unknown = True
            elif kind is CriterionKind.PRIORITY and outcome is Outcome.SATISFIED:
                priority = True
        if unknown:
            return Status.INCOMPLETE
        if priority:
            return Status.PRIORITY
        return Status.ELIGIBLE


@dataclass(frozen=True)
class EligibilityRequest:
    """What the core hands a rule: a batch of households, the offer, the date and the parameters.

    ``facts`` holds the core facts of every household of the batch, loaded by the core in a
    constant number of statements; a rule loads its own tables for the whole batch the same way.
    """

    session: Session
    scheme: Scheme
    offer: Offer | None
    household_ids: tuple[int, ...]
    reference_date: date
    parameters: ParameterSnapshot
    facts: Mapping[int, HouseholdFacts]


#: A rule evaluates a batch and returns, per household id, every declared criterion's result.
RuleFunction = Callable[[EligibilityRequest], Mapping[int, Sequence[CriterionResult]]]


@dataclass(frozen=True)
class PopulationRequest:
    """What the core hands a set-based rule: a whole population as a SELECT, the offer, date, parameters.

    ``population`` is a SELECT of one column, the household ids. Added in 1.2.

    ``frame`` (added in 1.3) holds the population's shared facts: ``frame.facts``, one indexed
    temporary table with one row per household (members summary, reference person, occupancy
    in force with its unit and site; columns in ``core.population``), computed once for every
    scheme evaluated on the same population and date: join it rather than aggregating the
    members again.
    """

    session: Session
    scheme: Scheme
    offer: Offer | None
    population: Select[Any]
    reference_date: date
    parameters: ParameterSnapshot
    frame: PopulationFrame | None = None


#: A set-based rule returns a SELECT of ``household_id`` then, for each declared criterion in
#: catalogue order, its outcome as an ``Outcome`` value or (faster) its ``Outcome.code``, never
#: null, one row per household: the database decides, not a Python loop.
OutcomesFunction = Callable[[PopulationRequest], "Select[Any]"]


@dataclass(frozen=True)
class EligibilityRule:
    """A scheme's eligibility rule: the criteria it checks and the batch function that checks them.

    ``outcomes`` (optional, added in 1.2) gives the same outcomes for a whole population in SQL;
    it must agree with ``evaluate`` household by household. Without it the core runs ``evaluate``.
    """

    scheme: str
    criteria: tuple[Criterion, ...]
    evaluate: RuleFunction
    outcomes: OutcomesFunction | None = None


class ScopeKind(enum.StrEnum):
    """What an indicator is computed over."""

    ORGANISATION = "organisation"
    SITE = "site"
    OFFER = "offer"


@dataclass(frozen=True)
class Period:
    """A closed date interval [start, end]."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """Number of days in the period, both ends included."""
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class IndicatorRequest:
    """What the core hands an indicator: the scope, the scheme's offers in it, and the period.

    ``parameters`` gives each offer's parameters (scheme defaults, dated versions and the offer's
    overrides) in force at the end of the period."""

    session: Session
    scheme: Scheme
    scope: ScopeKind
    scope_id: int
    offer_ids: tuple[int, ...]
    period: Period
    #: Parameters of each offer (with its overrides) in force at the end of the period. Added in 1.1.
    parameters: Mapping[int, ParameterSnapshot] = field(default_factory=dict)
    #: Scratch space shared by the scheme's indicators of one computation (one request per scheme
    #: and computation): what several of them read — one statement counting several populations,
    #: say — is kept here by the first and read by the others. Keys are the plugin's. Added in 1.4.
    shared: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class IndicatorResult:
    """An indicator's figures; ``value`` is ``numerator / denominator`` scaled by the unit."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None

    @staticmethod
    def ratio(numerator: float, denominator: float, *, percent: bool = True) -> IndicatorResult:
        """A share: ``None`` value when the denominator is zero (never a division by zero)."""
        if not denominator:
            return IndicatorResult(None, numerator, denominator)
        value = numerator / denominator * (100.0 if percent else 1.0)
        return IndicatorResult(round(value, 4), numerator, denominator)


class IndicatorUnit(enum.StrEnum):
    """Unit of an indicator's value."""

    PERCENT = "percent"
    COUNT = "count"
    DAYS = "days"
    MONTHS = "months"
    RATIO = "ratio"
    EUROS = "euros"


@dataclass(frozen=True)
class Indicator:
    """A scheme's indicator: identity, definition, and how to compute it and list its households.

    ``compute`` must aggregate in the database; ``households`` returns a SELECT of one column,
    the ids of the households counted (the drill-down), or is ``None`` when not meaningful.
    """

    scheme: str
    key: str
    label: str
    unit: IndicatorUnit
    definition: str
    compute: Callable[[IndicatorRequest], IndicatorResult]
    households: Callable[[IndicatorRequest], Select[Any]] | None = None
    target: float | None = None
    target_label: str | None = None
    source: str = ""


@dataclass(frozen=True)
class GraphQLContribution:
    """What a plugin adds to the GraphQL schema, assembled at start-up.

    ``query`` and ``mutation`` are strawberry types whose fields are added to the roots;
    ``extend`` maps a core type name (``"Household"``, ``"Offer"``, ``"Site"``, ``"Organisation"``,
    ``"Person"``, ``"Unit"``) to a strawberry type whose fields are added to it; ``types`` lists
    extra types to include (e.g. implementations of an interface). Every name carries the
    scheme code (``PensionProfile``, ``pensionSetProfile``).
    """

    owner: str
    query: type | None = None
    mutation: type | None = None
    extend: Mapping[str, type] = field(default_factory=dict)
    types: tuple[type, ...] = ()


class SensitiveCategory(enum.StrEnum):
    """Why a field is sensitive (GDPR special categories and safety)."""

    HEALTH = "health"
    VIOLENCE = "violence"
    SOCIAL = "social"


@dataclass(frozen=True)
class SensitiveField:
    """A field a plugin declares sensitive: reading it needs a permission and is audited."""

    scheme: str
    type_name: str
    field_name: str
    category: SensitiveCategory
    description: str

    @property
    def permission(self) -> str:
        """The permission needed to read the field, e.g. ``pension.health``."""
        return f"{self.scheme}.{self.category.value}"


@dataclass(frozen=True)
class MigrationBranch:
    """A plugin's Alembic branch: its label (the scheme code) and its versions directory."""

    label: str
    path: Path


@dataclass(frozen=True)
class DemoData:
    """A plugin's contribution to ``thema demo``; ``load`` runs after the core's demo world."""

    scheme: str
    load: Callable[[Any], None]
    description: str = ""
    order: int = 100


@dataclass(frozen=True)
class PluginInfo:
    """An installed plugin as the host sees it."""

    name: str
    module: str
    version: str
    contract: str
    source: str
