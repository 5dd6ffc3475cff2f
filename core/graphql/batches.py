"""Batched loads behind the household fields: members, core facts and verdicts.

A page's fields and its look-ahead (``core.graphql.lookahead``) share these loaders through the
request context. They live outside the types template (``core.graphql.types``, executed afresh
for every schema build) so that one process with several schemas (tests, the CLI) has one
``NoVerdict`` class and one set of prefetchers: a loader filled by one build's code is read by
another's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from graphql import GraphQLError

from core import models as m
from core.graphql import common as c
from core.graphql import lookahead
from core.graphql.loaders import BatchLoader, by_id, children, household_occupancies
from core.services import eligibility as elig
from core.services.schemes import SchemeUnavailable, require_enabled


def scheme_error(exc: SchemeUnavailable) -> GraphQLError:
    """The field error of a scheme that cannot be used: its message and stable code."""
    return GraphQLError(exc.message, extensions={"code": exc.code})


def members_of(ctx: Any) -> Any:
    """Members by household (present and past), in id order."""
    return children(ctx, m.Person, "household_id")


@dataclass(frozen=True)
class NoVerdict:
    """What a verdict loader holds when the scheme cannot be evaluated."""

    error: SchemeUnavailable


def verdict_of(verdict: Any) -> c.Verdict:
    """The GraphQL verdict of a loaded one; a scheme that cannot be evaluated is a field error."""
    if isinstance(verdict, NoVerdict):
        raise scheme_error(verdict.error)
    return c.Verdict.of(verdict)


def verdicts_at(ctx: Any, scheme: str, offer: m.Offer | None, day: date) -> Any:
    """Verdicts by household for a scheme (and offer) at a date, a batch at a time.

    A scheme that cannot be evaluated (not installed, not enabled for the offer's landlord) is
    the value of every household, so that each verdict field reports it.
    """
    key = ("core.verdicts", scheme, offer.id if offer else 0, day)
    found = ctx.loaders.get(key)  # the usual case: the page's other verdicts of the scheme
    if found is not None:
        return found

    def fetch(keys: list[int]) -> list[Any]:
        try:
            landlord = offer.landlord_id if offer else None
            if landlord is not None:
                require_enabled(ctx.session, ctx.registry, scheme, landlord, day)
            # One facts load per request and date, shared by the verdicts of every scheme asked.
            facts = facts_at(ctx, day).load_now(keys)
            known = {k: f for k, f in zip(keys, facts, strict=True) if f is not None}
            verdicts = elig.evaluate(ctx.session, ctx.registry, scheme, keys, day, offer, known)
        except SchemeUnavailable as exc:
            return [NoVerdict(exc)] * len(keys)
        return [verdicts[k] for k in keys]

    return ctx.loader(key, lambda: BatchLoader(fetch))


def facts_at(ctx: Any, day: date) -> Any:
    """Core facts at ``day`` built from the request's batched loaders (members, occupancies, places).

    A page that shows members and the current unit has loaded them already: its verdicts cost no
    statement of their own; referrals load on first use by a rule.
    """
    from core.facts import HouseholdFacts, ReferralBatch, member_facts, occupancy_facts

    def fetch(keys: list[int]) -> list[Any]:
        heads = by_id(ctx, m.Household).load_now(keys)
        members = members_of(ctx).load_now(keys)
        occupancies = household_occupancies(ctx).load_now(keys)
        places = ctx.loaders.get("core.places", {})
        referrals = ReferralBatch(ctx.session, keys, day)
        out: list[Any] = []
        for key, head, people, occs in zip(keys, heads, members, occupancies, strict=True):
            if head is None:
                out.append(None)
                continue
            out.append(
                HouseholdFacts(
                    key,
                    head.owner_id,
                    bool(head.confidential),
                    member_facts(people, day),
                    occupancy_facts(occs, places, day),
                    referrals,
                )
            )
        return out

    return ctx.loader(f"core.facts.{day}", lambda: BatchLoader(fetch))


def _prefetch_verdicts(ctx: Any, pks: Sequence[int], field: Any) -> None:
    """A page's verdicts for a scheme, ahead (offers are left to the resolver)."""
    scheme, day = field.arguments.get("scheme"), lookahead.date_argument(field, "date", ctx.today)
    if field.arguments.get("offerId") is None and isinstance(scheme, str) and scheme and day is not None:
        verdicts_at(ctx, scheme, None, day).load_now(pks)


def _prefetch_members(ctx: Any, pks: Sequence[int], _: Any) -> None:
    members_of(ctx).load_now(pks)


def _prefetch_occupancies(ctx: Any, pks: Sequence[int], _: Any) -> None:
    household_occupancies(ctx).load_now(pks)


lookahead.register(m.Household, "members", _prefetch_members)
lookahead.register(m.Household, "occupancies", _prefetch_occupancies)
lookahead.register(m.Household, "currentOccupancy", _prefetch_occupancies)
lookahead.register(m.Household, "eligibility", _prefetch_verdicts)
