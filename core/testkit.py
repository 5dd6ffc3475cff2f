"""Builders for plugin tests: organisations, sites, units, offers and households made through the API.

Every builder sends the GraphQL mutation a front-end would send and fails the test on a user
error, so a test reads as a scenario::

    kit = Kit(app)                       # app: a core.testing.ThemaTestApp
    world = kit.world("pension")         # landlord, association, site, units, enabled offer
    hid = kit.household(world.association, [kit.member(45, isolated=True)])
    verdict = kit.verdict(hid, offer=world.offer)
    assert criterion(verdict, "pension.isolated")["outcome"] == "SATISFIED"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

__all__ = [
    "INDICATOR",
    "VERDICT",
    "GraphQLClient",
    "Kit",
    "UserErrors",
    "World",
    "born",
    "criterion",
    "failing",
    "missing",
]

#: Selection of a verdict: everything the API answers about it.
VERDICT = (
    "scheme status referenceDate parameterVersion "
    "parameters { version effectiveFrom values overridden } "
    "criteria { code kind outcome message value threshold } failing { code } missing { code }"
)
#: Selection of an indicator value, drill-down count included.
INDICATOR = (
    "scheme key label unit value numerator denominator target targetLabel definition "
    "offerIds households(first: 1) { totalCount }"
)


class GraphQLClient(Protocol):
    """What the kit needs from a test app: ``core.testing.ThemaTestApp`` is one."""

    def graphql_raw(
        self, query: str, variables: dict[str, Any] | None = None, *, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """POST a GraphQL operation; the full JSON answer."""
        ...


class UserErrors(AssertionError):
    """A mutation answered with user errors (or GraphQL errors) where the test expected none."""


def born(age: int, *, at: date, days: int = 0) -> str:
    """ISO birth date of someone exactly ``age`` years old at ``at``, shifted by ``days``.

    ``days=1`` is born a day later: one year younger until the next day.
    """
    try:
        birthday = date(at.year - age, at.month, at.day)
    except ValueError:  # 29 February in a year that has none
        birthday = date(at.year - age, 3, 1)
    return (birthday + timedelta(days=days)).isoformat()


def criterion(verdict: dict[str, Any], code: str) -> dict[str, Any]:
    """One criterion of a verdict, by code (KeyError when the verdict lacks it)."""
    for item in verdict["criteria"]:
        if item["code"] == code:
            return dict(item)
    raise KeyError(f"the verdict has no criterion {code!r}: {[c['code'] for c in verdict['criteria']]}")


def failing(verdict: dict[str, Any]) -> set[str]:
    """Codes of the required criteria a verdict fails."""
    return {
        c["code"] for c in verdict["criteria"] if c["outcome"] == "NOT_SATISFIED" and c["kind"] == "REQUIRED"
    }


def missing(verdict: dict[str, Any]) -> set[str]:
    """Codes of the criteria whose facts are unknown."""
    return {c["code"] for c in verdict["criteria"] if c["outcome"] == "UNKNOWN"}


@dataclass(frozen=True)
class World:
    """Global ids of a ready set-up: a landlord, an association, a site and its units, an offer."""

    scheme: str
    landlord: str
    association: str
    site: str | None
    units: tuple[str, ...]
    offer: str


class Kit:
    """Builders of a core graph through the GraphQL API of one test app."""

    def __init__(self, app: GraphQLClient, today: date | None = None) -> None:
        self.app = app
        settings = getattr(app, "settings", None)
        self.today: date = today or getattr(settings, "fixed_today", None) or date.today()

    # -- raw operations ------------------------------------------------------------------------
    def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a query and return its ``data``, failing on any GraphQL error."""
        answer = self.app.graphql_raw(document, variables)
        if answer.get("errors"):
            raise UserErrors(f"GraphQL errors: {answer['errors']}")
        data: dict[str, Any] = answer["data"]
        return data

    def try_mutate(
        self, field: str, values: dict[str, Any], select: str, *, input_type: str | None = None
    ) -> dict[str, Any]:
        """Run the mutation ``field`` with one input; its payload, user errors included.

        The input type defaults to ``<Field>Input`` (``createSite`` → ``CreateSiteInput``).
        """
        kind = input_type or field[0].upper() + field[1:] + "Input"
        document = (
            f"mutation($input: {kind}!) {{ {field}(input: $input) "
            f"{{ {select} userErrors {{ field code message }} }} }}"
        )
        payload: dict[str, Any] = self.query(document, {"input": values})[field]
        return payload

    def mutate(
        self, field: str, values: dict[str, Any], select: str, *, input_type: str | None = None
    ) -> dict[str, Any]:
        """Run a mutation and return its payload; raise ``UserErrors`` if it refused the input."""
        payload = self.try_mutate(field, values, select, input_type=input_type)
        if payload["userErrors"]:
            raise UserErrors(f"{field} refused {values}: {payload['userErrors']}")
        return payload

    # -- organisations and stock ---------------------------------------------------------------
    def organisation(self, name: str, kind: str = "LANDLORD", **values: Any) -> str:
        """Create an organisation (LANDLORD, ASSOCIATION or INSTITUTION); return its id."""
        payload = self.mutate(
            "createOrganisation", {"name": name, "kind": kind, **values}, "organisation { id }"
        )
        return str(payload["organisation"]["id"])

    def enable(self, organisation: str, scheme: str, on: str = "2019-01-01") -> None:
        """Enable ``scheme`` for an organisation from ``on``."""
        self.mutate(
            "enableScheme",
            {"organisationId": organisation, "scheme": scheme, "enabledOn": on},
            "enablement { scheme }",
        )

    def site(self, owner: str, name: str = "Résidence", commune: str = "Soissons", **values: Any) -> str:
        """Create a site of landlord ``owner`` (extra fields in camelCase); return its id."""
        payload = self.mutate(
            "createSite", {"organisationId": owner, "name": name, "commune": commune, **values}, "site { id }"
        )
        return str(payload["site"]["id"])

    def unit(self, site: str, label: str, typology: str = "T1", **values: Any) -> str:
        """Create a unit of ``site`` (``furnished=True``, ``monthlyRent=450.0``…); return its id."""
        payload = self.mutate(
            "createUnit", {"siteId": site, "label": label, "typology": typology, **values}, "unit { id }"
        )
        return str(payload["unit"]["id"])

    def units(
        self, site: str, count: int, typology: str = "T1", *, prefix: str = "U", **values: Any
    ) -> list[str]:
        """Create ``count`` units labelled ``prefix1``, ``prefix2``…; return their ids."""
        return [self.unit(site, f"{prefix}{n}", typology, **values) for n in range(1, count + 1)]

    def offer(
        self,
        scheme: str,
        landlord: str,
        manager: str | None = None,
        *,
        name: str | None = None,
        site: str | None = None,
        units: Sequence[str] = (),
        capacity: int | None = None,
        start: str = "2019-01-01",
        parameters: dict[str, Any] | None = None,
    ) -> str:
        """Create an offer of ``scheme`` (no site: a portfolio-wide programme); return its id."""
        values: dict[str, Any] = {
            "scheme": scheme,
            "name": name or f"Offre {scheme}",
            "landlordId": landlord,
            "managerId": manager or landlord,
            "siteId": site,
            "capacity": capacity if capacity is not None else (len(units) or None),
            "startDate": start,
            "unitIds": list(units),
        }
        if parameters is not None:
            values["parameters"] = parameters
        return str(self.mutate("createOffer", values, "offer { id }")["offer"]["id"])

    def world(
        self,
        scheme: str,
        *,
        units: int = 3,
        typology: str = "T1",
        portfolio_wide: bool = False,
        parameters: dict[str, Any] | None = None,
        landlord: str = "Bailleur social",
        association: str = "Association gestionnaire",
        enabled_on: str = "2019-01-01",
    ) -> World:
        """A landlord and an association that run ``scheme``, a site with units, and the offer.

        ``portfolio_wide=True`` makes a programme over the landlord's portfolio: the site and
        units exist (tenants can live there) but the offer has no site and is run by the landlord.
        """
        landlord_id = self.organisation(landlord, "LANDLORD")
        association_id = self.organisation(association, "ASSOCIATION")
        self.enable(landlord_id, scheme, enabled_on)
        self.enable(association_id, scheme, enabled_on)
        site = self.site(landlord_id)
        unit_ids = tuple(self.units(site, units, typology))
        if portfolio_wide:
            offer = self.offer(scheme, landlord_id, landlord_id, start=enabled_on, parameters=parameters)
            return World(scheme, landlord_id, association_id, None, unit_ids, offer)
        offer = self.offer(
            scheme,
            landlord_id,
            association_id,
            site=site,
            units=unit_ids,
            start=enabled_on,
            parameters=parameters,
        )
        return World(scheme, landlord_id, association_id, site, unit_ids, offer)

    # -- people --------------------------------------------------------------------------------
    def born(self, age: int, *, days: int = 0) -> str:
        """ISO birth date of someone exactly ``age`` years old on the kit's today."""
        return born(age, at=self.today, days=days)

    def member(
        self,
        age: int | None = None,
        *,
        role: str = "REFERENCE",
        activity: str | None = None,
        resources: float | None = None,
        isolated: bool | None = None,
        days: int = 0,
        first_name: str = "Camille",
        last_name: str = "Martin",
    ) -> dict[str, Any]:
        """A ``PersonInput`` (age None: unknown birth date)."""
        return {
            "firstName": first_name,
            "lastName": last_name,
            "role": role,
            "birthDate": self.born(age, days=days) if age is not None else None,
            "activity": activity,
            "monthlyResources": resources,
            "isolated": isolated,
        }

    def household(
        self,
        owner: str,
        members: Sequence[dict[str, Any]] | None = None,
        *,
        reference: str = "M-1",
        confidential: bool = False,
    ) -> str:
        """Create a household of ``owner`` (default: one adult of 40); return its id."""
        people = list(members) if members is not None else [self.member(40)]
        payload = self.mutate(
            "createHousehold",
            {
                "organisationId": owner,
                "reference": reference,
                "members": people,
                "confidential": confidential,
            },
            "household { id }",
        )
        return str(payload["household"]["id"])

    def move_in(self, household: str, unit: str, offer: str | None = None, start: str = "2025-01-01") -> str:
        """Start an occupancy of ``unit`` (under ``offer``); return the occupancy id."""
        values: dict[str, Any] = {"householdId": household, "unitId": unit, "startDate": start}
        if offer is not None:
            values["offerId"] = offer
        return str(self.mutate("startOccupancy", values, "occupancy { id }")["occupancy"]["id"])

    def move_out(self, occupancy: str, end: str, destination: str = "SOCIAL_RENTAL") -> None:
        """End an occupancy at ``end`` towards ``destination``."""
        self.mutate(
            "endOccupancy",
            {"occupancyId": occupancy, "endDate": end, "exitDestination": destination},
            "occupancy { id }",
        )

    def refer(self, household: str, offer: str, proposer: str, on: str = "2025-12-01") -> str:
        """Propose ``household`` to ``offer`` on behalf of ``proposer``; return the referral id."""
        payload = self.mutate(
            "createReferral",
            {"householdId": household, "offerId": offer, "proposerId": proposer, "proposedOn": on},
            "referral { id }",
        )
        return str(payload["referral"]["id"])

    # -- answers -------------------------------------------------------------------------------
    def verdict(
        self, household: str, *, offer: str | None = None, scheme: str | None = None, on: str | None = None
    ) -> dict[str, Any]:
        """The household's verdict for an offer, or for a scheme without one."""
        document = (
            "query($h: ID!, $offer: ID, $scheme: String, $on: Date) { household(id: $h) { "
            f"eligibility(offerId: $offer, scheme: $scheme, date: $on) {{ {VERDICT} }} }} }}"
        )
        data = self.query(document, {"h": household, "offer": offer, "scheme": scheme, "on": on})
        if data["household"] is None:
            raise UserErrors(f"no household {household!r}")
        verdict: dict[str, Any] = data["household"]["eligibility"]
        return verdict

    def indicators(
        self,
        *,
        offer: str | None = None,
        site: str | None = None,
        organisation: str | None = None,
        scheme: str | None = None,
        start: str | None = None,
        end: str | None = None,
        keys: Sequence[str] | None = None,
    ) -> dict[str, dict[str, Any]]:
        """Indicator values over an offer, a site or an organisation, by key.

        Keys are ``scheme.key`` over a site or an organisation unless ``scheme`` is given.
        """
        variables: dict[str, Any] = {"from": start, "to": end, "keys": list(keys) if keys else None}
        if offer is not None:
            root, variables["id"], by_scheme = "offer", offer, ""
        elif site is not None:
            root, variables["id"], by_scheme = "site", site, "scheme: $scheme, "
        elif organisation is not None:
            root, variables["id"], by_scheme = "organisation", organisation, "scheme: $scheme, "
        else:
            raise ValueError("give an offer, a site or an organisation")
        declare = "$scheme: String, " if by_scheme else ""
        if by_scheme:
            variables["scheme"] = scheme
        document = (
            f"query($id: ID!, {declare}$from: Date, $to: Date, $keys: [String!]) {{ {root}(id: $id) {{ "
            f"indicators({by_scheme}from: $from, to: $to, keys: $keys) {{ {INDICATOR} }} }} }}"
        )
        data = self.query(document, variables)
        if data[root] is None:
            raise UserErrors(f"no {root} {variables['id']!r}")
        qualified = root != "offer" and scheme is None
        values: list[dict[str, Any]] = data[root]["indicators"]
        return {f"{v['scheme']}.{v['key']}" if qualified else v["key"]: v for v in values}

    def scheme(self, code: str) -> dict[str, Any]:
        """The catalogue entry of an installed scheme: parameters, criteria, indicators."""
        document = (
            "query($code: String!) { scheme(code: $code) { code label version portfolioWide "
            "parameters { key default } criteria { code kind label } "
            "indicators { key label unit definition hasDrillDown } "
            "sensitiveFields { typeName fieldName category permission } } }"
        )
        found: dict[str, Any] | None = self.query(document, {"code": code})["scheme"]
        if found is None:
            raise UserErrors(f"scheme {code!r} is not installed")
        return found
