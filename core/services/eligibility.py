"""Eligibility: the core runs a scheme's batch rule and derives each household's verdict."""

from __future__ import annotations

import functools
import gc
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    case,
    cast,
    func,
    or_,
    select,
    union,
)
from sqlmodel import Session

from core.contract import (
    CriterionKind,
    CriterionResult,
    EligibilityRequest,
    EligibilityRule,
    Outcome,
    PopulationRequest,
    Status,
    Verdict,
)
from core.facts import HouseholdFacts, load_household_facts
from core.models import Household, Offer, Referral
from core.plugins import Registry
from core.population import PopulationFrame
from core.services.schemes import SchemeUnavailable, installed

#: Households evaluated per rule call; rules load their own tables per batch.
BATCH = 2000


class RuleContractError(RuntimeError):
    """A rule returned results that do not match its declared criteria."""


def _rule(registry: Registry, scheme_code: str) -> EligibilityRule:
    installed(registry, scheme_code)
    rule = registry.rules.get(scheme_code)
    if rule is None:
        raise SchemeUnavailable(
            "NO_ELIGIBILITY_RULE",
            f"Le dispositif « {scheme_code} » n'a pas de règle d'éligibilité.",
        )
    return rule


def evaluate(
    session: Session,
    registry: Registry,
    scheme_code: str,
    household_ids: Iterable[int],
    reference_date: date,
    offer: Offer | None = None,
    facts: Mapping[int, HouseholdFacts] | None = None,
) -> dict[int, Verdict]:
    """Verdicts of ``household_ids`` for a scheme (and offer) at ``reference_date``, in batches.

    ``facts``, when given, holds the households' core facts at ``reference_date`` already loaded
    (shared by the verdicts of several schemes in one request); else each batch loads its own.
    """
    scheme = installed(registry, scheme_code)
    rule = registry.rules.get(scheme_code)
    if rule is None:
        raise SchemeUnavailable(
            "NO_ELIGIBILITY_RULE",
            f"Le dispositif « {scheme_code} » n'a pas de règle d'éligibilité.",
        )
    if offer is not None and offer.scheme != scheme_code:
        raise SchemeUnavailable("SCHEME_MISMATCH", f"L'offre ne relève pas du dispositif « {scheme_code} ».")
    snapshot = scheme.parameters_at(reference_date, offer.parameters if offer else None)
    ids = sorted(set(household_ids))
    declared = [c.code for c in rule.criteria]
    kinds = {c.code: c.kind for c in rule.criteria}
    catalogue_kinds = [c.kind for c in rule.criteria]
    offer_id = offer.id if offer else None
    status = _status_cache()
    out: dict[int, Verdict] = {}
    for i in range(0, len(ids), BATCH):
        part = tuple(ids[i : i + BATCH])
        batch = load_household_facts(session, part, reference_date) if facts is None else facts
        present = tuple(h for h in part if h in batch)
        request = EligibilityRequest(session, scheme, offer, present, reference_date, snapshot, batch)
        results = rule.evaluate(request)
        for hid in present:
            criteria = _ordered(results.get(hid, ()), declared, kinds, scheme_code, catalogue_kinds)
            out[hid] = Verdict(
                scheme_code, hid, offer_id, status(criteria), criteria, reference_date, snapshot
            )
    return out


def _status_cache() -> Callable[[tuple[CriterionResult, ...]], Status]:
    """``Verdict.status_of`` for one rule's ordered criteria, each combination of outcomes decided once.

    Ordered criteria carry the catalogue's kinds, so their outcomes alone give the status. Keys
    are the outcomes' identities, cached only when every outcome is an ``Outcome`` member: a
    rule answering a plain string still gets exactly what ``Verdict.status_of`` says.
    """
    found: dict[tuple[int, ...], Status] = {}
    outcome = operator.attrgetter("outcome")

    def status(criteria: tuple[CriterionResult, ...]) -> Status:
        outcomes = list(map(outcome, criteria))
        key = tuple(map(id, outcomes))
        got = found.get(key)
        if got is None:
            got = Verdict.status_of(criteria)
            if all(type(o) is Outcome for o in outcomes):
                found[key] = got
        return got

    return status


def _ordered(
    results: Sequence[CriterionResult],
    declared: list[str],
    kinds: dict[str, CriterionKind],
    scheme: str,
    catalogue_kinds: list[CriterionKind] | None = None,
) -> tuple[CriterionResult, ...]:
    """Check a rule answered every declared criterion once, in catalogue order.

    ``catalogue_kinds`` (the kinds in ``declared`` order) spares computing them per household.
    """
    if len(results) == len(declared) and [r.code for r in results] == declared:
        # The usual case: answered in catalogue order, with the catalogue's kinds (kept as they are).
        expected = catalogue_kinds if catalogue_kinds is not None else [kinds[c] for c in declared]
        if all(map(operator.is_, [r.kind for r in results], expected)):
            return results if type(results) is tuple else tuple(results)
        ordered: Sequence[CriterionResult] = results
    else:
        by_code = {r.code: r for r in results}
        if set(by_code) != set(declared) or len(by_code) != len(results):
            raise RuleContractError(
                f"the {scheme} rule answered {sorted(by_code)} but declares {sorted(declared)}"
            )
        ordered = [by_code[c] for c in declared]
    # Results are immutable: one whose kind is already the catalogue's is kept as it is.
    return tuple(
        r
        if r.kind is kinds[r.code]
        else CriterionResult(r.code, r.outcome, r.message, r.value, r.threshold, kinds[r.code])
        for r in ordered
    )


def candidate_population(offer: Offer, referred_only: bool = False) -> object:
    """SELECT of the household ids considered for an offer: the landlord's and manager's, and referred."""
    referred = select(Referral.household_id).where(Referral.offer_id == offer.id)
    if referred_only:
        return referred
    owned = select(Household.id).where(
        or_(Household.owner_id == offer.landlord_id, Household.owner_id == offer.manager_id),
        Household.closed_on.is_(None),  # type: ignore[union-attr]
    )
    return union(owned, referred)


def candidates(
    session: Session,
    registry: Registry,
    offer: Offer,
    reference_date: date,
    statuses: Sequence[Status] | None = None,
    referred_only: bool = False,
) -> list[Verdict]:
    """Verdicts of the offer's candidate population, filtered by status, in household id order."""
    population = candidate_population(offer, referred_only)
    ids = [row[0] for row in session.execute(population)]  # type: ignore[call-overload]
    verdicts = evaluate(session, registry, offer.scheme, ids, reference_date, offer)
    wanted = set(statuses) if statuses else None
    return [v for _, v in sorted(verdicts.items()) if wanted is None or v.status in wanted]


def unknown(code: str, message: str, threshold: str | None = None) -> CriterionResult:
    """Helper for rules: a criterion whose fact is unknown."""
    return CriterionResult(code, Outcome.UNKNOWN, message, None, threshold)


class Decision(NamedTuple):
    """A household's status from the set-based path, with each criterion's outcome (catalogue order)."""

    household_id: int
    status: Status
    outcomes: tuple[Outcome, ...]


def status_function(rule: EligibilityRule) -> Any:
    """A fast ``outcomes → Status`` for the rule's catalogue (the rules of ``Verdict.status_of``)."""
    required = [i for i, c in enumerate(rule.criteria) if c.kind is CriterionKind.REQUIRED]
    priority = [i for i, c in enumerate(rule.criteria) if c.kind is CriterionKind.PRIORITY]
    no, unknown, yes = Outcome.NOT_SATISFIED, Outcome.UNKNOWN, Outcome.SATISFIED

    def status(outcomes: Sequence[Outcome]) -> Status:
        values = [outcomes[i] for i in required]
        if no in values:
            return Status.INELIGIBLE
        if unknown in values:
            return Status.INCOMPLETE
        if any(outcomes[i] is yes for i in priority):
            return Status.PRIORITY
        return Status.ELIGIBLE

    return status


def decide(
    session: Session,
    registry: Registry,
    scheme_code: str,
    population: Select[Any],
    reference_date: date,
    offer: Offer | None = None,
    frame: PopulationFrame | None = None,
) -> list[Decision]:
    """Statuses of a whole population (a SELECT of household ids), set-based, in household id order.

    The rule's ``outcomes`` SELECT runs in the database over the population's shared facts
    (``frame``, built here when not given); a rule without one falls back to its batch
    ``evaluate`` (same results, slower). Identical to ``evaluate`` household by household.
    """
    rule = _rule(registry, scheme_code)
    scheme = installed(registry, scheme_code)
    if offer is not None and offer.scheme != scheme_code:
        raise SchemeUnavailable("SCHEME_MISMATCH", f"L'offre ne relève pas du dispositif « {scheme_code} ».")
    if rule.outcomes is None:
        ids = [row[0] for row in session.execute(population)]
        verdicts = evaluate(session, registry, scheme_code, ids, reference_date, offer)
        return [
            Decision(hid, v.status, tuple(c.outcome for c in v.criteria))
            for hid, v in sorted(verdicts.items())
        ]
    if frame is None:
        with PopulationFrame(session, population, reference_date) as own:
            return decide(session, registry, scheme_code, population, reference_date, offer, own)
    snapshot = scheme.parameters_at(reference_date, offer.parameters if offer else None)
    request = PopulationRequest(session, scheme, offer, population, reference_date, snapshot, frame)
    return _decisions(session, rule, scheme_code, rule.outcomes(request))


#: Outcomes by code (``Outcome.code``): a household's outcomes travel packed, two bits each.
_BY_CODE = {o.code: o for o in Outcome}


def _outcome_code(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A rule's outcome column as its code: codes as they come, ``Outcome`` values mapped (others null)."""
    if isinstance(column.type, Integer):
        return column
    return case(*((column == o.value, o.code) for o in Outcome))


def _decisions(session: Session, rule: EligibilityRule, scheme: str, stmt: Select[Any]) -> list[Decision]:
    """Run a rule's ``outcomes`` SELECT and derive each household's status, in household id order.

    The database packs each household's id and outcomes into one integer (two bits per outcome
    under the id) and joins them into one string: a population's outcomes travel as one value,
    not one row per household, and their few distinct combinations are each decided once.
    """
    width = len(rule.criteria)
    outcomes = stmt.order_by(None).subquery()
    household_id, *criteria = outcomes.c
    if len(criteria) != width:
        raise RuleContractError(f"the {scheme} rule gives {len(criteria)} outcomes for {width} criteria")
    packed = functools.reduce(
        operator.add,
        (_outcome_code(c) * 4**i for i, c in enumerate(criteria)),
        cast(household_id, BigInteger) * 4**width,
    )
    joined = func.aggregate_strings(cast(func.coalesce(packed, -1), String), ",")  # -1: a null
    line = session.connection().execute(select(joined)).scalar()
    values: list[int] = sorted(json.loads(f"[{line or ''}]"))  # the C parser reads numbers fastest
    if values and values[0] < 0:
        raise RuleContractError(f"the {scheme} rule gives a null household id or outcome")
    shift, mask = 2 * width, 4**width - 1
    status = status_function(rule)
    statuses: dict[int, Status] = {}
    found: dict[int, tuple[Outcome, ...]] = {}
    for key in {v & mask for v in values}:
        try:
            found[key] = tuple(_BY_CODE[(key >> 2 * i) & 3] for i in range(width))
        except KeyError:
            raise RuleContractError(f"the {scheme} rule gives an outcome code that is not one") from None
        statuses[key] = status(found[key])
    new = tuple.__new__
    with _no_cycle_collection():
        return [new(Decision, (v >> shift, statuses[k := v & mask], found[k])) for v in values]


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects.

    A population's decisions are 100,000 new tuples: the collector would walk the whole heap
    several times while they are allocated, for no cycle to find.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decide_many(
    session: Session,
    registry: Registry,
    scheme_codes: Sequence[str],
    population: Select[Any],
    reference_date: date,
) -> dict[str, list[Decision]]:
    """Statuses of a population for several schemes, the population's shared facts computed once."""
    with PopulationFrame(session, population, reference_date) as frame:
        return {
            code: decide(session, registry, code, population, reference_date, None, frame)
            for code in scheme_codes
        }
