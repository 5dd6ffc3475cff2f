"""Helpers of the CHRS tests: a small world built through the GraphQL API."""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from core import ParameterVersion, hookimpl
from core.testing import ThemaTestApp, make_test_app
from plugins.chrs import hooks
from plugins.chrs.scheme import SCHEME

#: The reference date of the tests (the app's "today").
TODAY = date(2026, 1, 1)

VERDICT = (
    "status parameterVersion referenceDate parameters { version effectiveFrom values overridden } "
    "criteria { code kind outcome message value threshold } failing { code kind } missing { code kind }"
)


def new_app(tmp_path: Path, backend: str = "sqlite", plugin: Any = hooks) -> ThemaTestApp:
    """An app with the CHRS plugin only, whose today is ``TODAY``."""
    return make_test_app(tmp_path, [plugin], backend=backend, today=TODAY)


def dated_plugin(*versions: ParameterVersion) -> types.ModuleType:
    """The CHRS plugin with extra dated parameter versions (to test dated rules)."""
    variant = types.ModuleType("plugins.chrs.hooks_dated")
    for name in dir(hooks):
        obj = getattr(hooks, name)
        if callable(obj) and hasattr(obj, "thema_impl"):
            setattr(variant, name, obj)
    variant.THEMA_CONTRACT = hooks.THEMA_CONTRACT  # type: ignore[attr-defined]
    scheme = dataclasses.replace(SCHEME, parameter_versions=versions)

    @hookimpl
    def register_schemes() -> list[Any]:
        return [scheme]

    variant.register_schemes = register_schemes  # type: ignore[attr-defined]
    return variant


def born(age: int, *, days: int = 0, at: date = TODAY) -> str:
    """ISO birth date of someone exactly ``age`` years old at ``at``, shifted by ``days``."""
    return (date(at.year - age, at.month, at.day) + timedelta(days=days)).isoformat()


def mutate(app: ThemaTestApp, field: str, values: dict[str, Any], select: str) -> dict[str, Any]:
    """Run a mutation whose input type is ``<Field>Input``; fail on user errors."""
    input_type = field[0].upper() + field[1:] + "Input"
    payload = raw_mutate(app, field, input_type, values, select)
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


def raw_mutate(
    app: ThemaTestApp, field: str, input_type: str, values: dict[str, Any], select: str
) -> dict[str, Any]:
    """Run a mutation and return its payload, user errors included."""
    query = (
        f"mutation($input: {input_type}!) {{ {field}(input: $input) "
        f"{{ {select} userErrors {{ field code message }} }} }}"
    )
    return app.graphql(query, {"input": values})[field]  # type: ignore[no-any-return]


@dataclass
class World:
    """Global ids of a CHRS set-up: landlord, association, SIAO, another proposer, offer, units."""

    landlord: str
    association: str
    siao: str
    other: str
    site: str
    units: list[str]
    offer: str


def organisation(app: ThemaTestApp, name: str, kind: str) -> str:
    """Create an organisation; return its id."""
    return mutate(app, "createOrganisation", {"name": name, "kind": kind}, "organisation { id }")[
        "organisation"
    ]["id"]


def build_world(app: ThemaTestApp, *, parameters: dict[str, Any] | None = None, capacity: int = 7) -> World:
    """A landlord, the managing association, the SIAO, a site with 3 units and a CHRS offer."""
    landlord = organisation(app, "Clésence", "LANDLORD")
    association = organisation(app, "Accueil & Promotion", "ASSOCIATION")
    siao = organisation(app, "SIAO de l'Aisne", "INSTITUTION")
    other = organisation(app, "Centre social", "ASSOCIATION")
    site = mutate(
        app,
        "createSite",
        {"organisationId": landlord, "name": "Résidence du Bailly", "commune": "Chauny"},
        "site { id }",
    )["site"]["id"]
    units = [
        mutate(app, "createUnit", {"siteId": site, "label": f"CHRS-{n}", "typology": t}, "unit { id }")[
            "unit"
        ]["id"]
        for n, t in enumerate(("T1", "T2", "T3"))
    ]
    for org in (landlord, association):
        mutate(
            app,
            "enableScheme",
            {"organisationId": org, "scheme": "chrs", "enabledOn": "2019-01-01"},
            "enablement { scheme }",
        )
    values: dict[str, Any] = {
        "scheme": "chrs",
        "name": "CHRS du Bailly",
        "landlordId": landlord,
        "managerId": association,
        "siteId": site,
        "capacity": capacity,
        "startDate": "2019-11-14",
        "unitIds": units,
    }
    if parameters is not None:
        values["parameters"] = parameters
    offer = mutate(app, "createOffer", values, "offer { id }")["offer"]["id"]
    return World(landlord, association, siao, other, site, units, offer)


def household(app: ThemaTestApp, owner: str, *birth_dates: str | None, reference: str = "CHRS-T") -> str:
    """A household of the given members (the first is the reference person); returns its id."""
    members = [
        {
            "firstName": "Camille",
            "lastName": "Martin",
            "role": "REFERENCE" if n == 0 else "CHILD",
            "birthDate": b,
        }
        for n, b in enumerate(birth_dates)
    ]
    return mutate(
        app,
        "createHousehold",
        {"organisationId": owner, "reference": reference, "members": members},
        "household { id }",
    )["household"]["id"]


def refer(app: ThemaTestApp, hid: str, offer: str, proposer: str, on: str = "2025-12-01") -> str:
    """A referral of the household to the offer; returns its id."""
    return mutate(
        app,
        "createReferral",
        {"householdId": hid, "offerId": offer, "proposerId": proposer, "proposedOn": on},
        "referral { id }",
    )["referral"]["id"]


FULL_PROFILE = {
    "economicDifficulty": True,
    "familyDifficulty": False,
    "healthDifficulty": False,
    "insertionDifficulty": False,
    "needsSupportBeforeHousing": True,
    "domesticViolenceVictim": False,
    "assessedOn": "2025-12-01",
}


def set_profile(app: ThemaTestApp, hid: str, **values: Any) -> dict[str, Any]:
    """Record the CHRS profile; returns the payload (user errors included)."""
    return raw_mutate(
        app,
        "chrsSetProfile",
        "ChrsSetProfileInput",
        {"householdId": hid, **values},
        "profile { householdId economicDifficulty familyDifficulty healthDifficulty "
        "insertionDifficulty needsSupportBeforeHousing domesticViolenceVictim assessedOn version }",
    )


def verdict(app: ThemaTestApp, hid: str, offer: str | None = None, on: str | None = None) -> dict[str, Any]:
    """The household's CHRS verdict (for the offer, or for the scheme)."""
    if offer:
        head, args = "$id: ID!, $offer: ID, $on: Date", "offerId: $offer, date: $on"
    else:
        head, args = "$id: ID!, $on: Date", 'scheme: "chrs", date: $on'
    query = f"query({head}) {{ household(id: $id) {{ eligibility({args}) {{ {VERDICT} }} }} }}"
    variables = {"id": hid, "on": on, **({"offer": offer} if offer else {})}
    return app.graphql(query, variables)["household"]["eligibility"]  # type: ignore[no-any-return]


def criterion(v: dict[str, Any], code: str) -> dict[str, Any]:
    """One criterion of a verdict."""
    return next(c for c in v["criteria"] if c["code"] == code)


def codes(items: list[dict[str, Any]], *, priority: bool = False) -> list[str]:
    """The codes of the required criteria of a list (and of the priority ones if asked)."""
    return [c["code"] for c in items if priority or c["kind"] == "REQUIRED"]


def eligible_household(app: ThemaTestApp, w: World, *birth_dates: str | None, **profile: Any) -> str:
    """A household with a full profile and a SIAO referral (ELIGIBLE unless told otherwise)."""
    hid = household(app, w.association, *(birth_dates or (born(40),)))
    payload = set_profile(app, hid, **{**FULL_PROFILE, **profile})
    assert payload["userErrors"] == []
    refer(app, hid, w.offer, w.siao)
    return hid
