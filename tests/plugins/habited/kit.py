"""Helpers of the HabiTED tests: a small world built through the GraphQL API."""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from core import ParameterVersion, hookimpl
from core.testing import ThemaTestApp, make_test_app
from plugins.habited import hooks
from plugins.habited.scheme import SCHEME

#: The reference date of the tests (the app's "today").
TODAY = date(2026, 1, 1)

VERDICT = (
    "status parameterVersion referenceDate parameters { version effectiveFrom values overridden } "
    "criteria { code kind outcome message value threshold } failing { code } missing { code }"
)
PROFILE = "profile { householdId diagnosis verbalLanguage publicTransportAutonomy dayActivity version }"
#: A profile meeting every criterion.
COMPLETE = {
    "diagnosis": "AUTISM",
    "verbalLanguage": True,
    "publicTransportAutonomy": True,
    "dayActivity": "ESAT",
}


def new_app(tmp_path: Path, backend: str = "sqlite", plugin: Any = hooks) -> ThemaTestApp:
    """An app with the HabiTED plugin only, whose today is ``TODAY``."""
    return make_test_app(tmp_path, [plugin], backend=backend, today=TODAY)


def dated_plugin(*versions: ParameterVersion) -> types.ModuleType:
    """The HabiTED plugin with extra dated parameter versions (to test dated rules)."""
    variant = types.ModuleType("plugins.habited.hooks_dated")
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


def raw_mutate(app: ThemaTestApp, field: str, values: dict[str, Any], select: str) -> dict[str, Any]:
    """Run a mutation whose input type is ``<Field>Input``; return its payload, errors included."""
    input_type = field[0].upper() + field[1:] + "Input"
    query = (
        f"mutation($input: {input_type}!) {{ {field}(input: $input) "
        f"{{ {select} userErrors {{ field code message }} }} }}"
    )
    return app.graphql(query, {"input": values})[field]  # type: ignore[no-any-return]


def mutate(app: ThemaTestApp, field: str, values: dict[str, Any], select: str) -> dict[str, Any]:
    """Run a mutation and fail the test on user errors."""
    payload = raw_mutate(app, field, values, select)
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


@dataclass
class World:
    """Global ids of a HabiTED set-up: 3F Notre Logis, ISRAA, the residence and its offer."""

    landlord: str
    association: str
    site: str
    homes: list[str]
    common: str
    offer: str


def _id(payload: dict[str, Any], key: str) -> str:
    return str(payload[key]["id"])


def build_world(app: ThemaTestApp) -> World:
    """Three T1 at 498 € and a common T4, in an offer of capacity 3 run by ISRAA."""
    landlord = _id(
        mutate(
            app, "createOrganisation", {"name": "3F Notre Logis", "kind": "LANDLORD"}, "organisation { id }"
        ),
        "organisation",
    )
    association = _id(
        mutate(app, "createOrganisation", {"name": "ISRAA", "kind": "ASSOCIATION"}, "organisation { id }"),
        "organisation",
    )
    for org in (landlord, association):
        mutate(
            app,
            "enableScheme",
            {"organisationId": org, "scheme": "habited", "enabledOn": "2016-01-01"},
            "enablement { scheme }",
        )
    site = _id(
        mutate(
            app,
            "createSite",
            {"organisationId": landlord, "name": "Résidence HabiTED", "commune": "Roncq"},
            "site { id }",
        ),
        "site",
    )
    homes = [
        _id(
            mutate(
                app,
                "createUnit",
                {"siteId": site, "label": f"R{n}", "typology": "T1", "monthlyRent": 498.0},
                "unit { id }",
            ),
            "unit",
        )
        for n in range(3)
    ]
    common = _id(
        mutate(
            app,
            "createUnit",
            {"siteId": site, "label": "C1", "typology": "T4", "common": True},
            "unit { id }",
        ),
        "unit",
    )
    offer = _id(
        mutate(
            app,
            "createOffer",
            {
                "scheme": "habited",
                "name": "HabiTED",
                "landlordId": landlord,
                "managerId": association,
                "siteId": site,
                "capacity": 3,
                "startDate": "2016-01-01",
                "unitIds": [*homes, common],
            },
            "offer { id }",
        ),
        "offer",
    )
    return World(landlord, association, site, homes, common, offer)


def tenant(
    app: ThemaTestApp,
    world: World,
    birth_date: str | None,
    profile: dict[str, Any] | None = None,
    reference: str = "T-1",
) -> str:
    """Create a one-person household of ISRAA, with a HabiTED profile if given; return its id."""
    member = {"firstName": "Alex", "lastName": "Durand", "birthDate": birth_date}
    hid = _id(
        mutate(
            app,
            "createHousehold",
            {"organisationId": world.association, "reference": reference, "members": [member]},
            "household { id }",
        ),
        "household",
    )
    if profile is not None:
        mutate(app, "habitedSetProfile", {"householdId": hid, **profile}, PROFILE)
    return hid


def verdict(app: ThemaTestApp, household_id: str, offer_id: str, on: str | None = None) -> dict[str, Any]:
    """The household's verdict for the offer at a date."""
    query = (
        "query($h: ID!, $o: ID!, $on: Date) { household(id: $h) { "
        f"eligibility(offerId: $o, date: $on) {{ {VERDICT} }} }} }}"
    )
    data = app.graphql(query, {"h": household_id, "o": offer_id, "on": on})
    return data["household"]["eligibility"]  # type: ignore[no-any-return]


def criterion(v: dict[str, Any], code: str) -> dict[str, Any]:
    """One criterion of a verdict."""
    return next(c for c in v["criteria"] if c["code"] == code)


def codes(items: list[dict[str, Any]]) -> set[str]:
    """The codes of a list of criteria."""
    return {c["code"] for c in items}
