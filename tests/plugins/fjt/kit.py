"""Helpers of the FJT tests: a small world built through the GraphQL API, as a front-end would."""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from core import ParameterVersion, hookimpl
from core.testing import ThemaTestApp, make_test_app
from plugins.fjt import hooks
from plugins.fjt.scheme import SCHEME

#: The reference date of the tests (the app's "today").
TODAY = date(2026, 1, 1)

VERDICT = (
    "status parameterVersion referenceDate parameters { version effectiveFrom values overridden } "
    "criteria { code kind outcome message value threshold } failing { code } missing { code }"
)


def new_app(tmp_path: Path, backend: str = "sqlite", plugin: Any = hooks) -> ThemaTestApp:
    """An app with the FJT plugin only, whose today is ``TODAY``."""
    return make_test_app(tmp_path, [plugin], backend=backend, today=TODAY)


def dated_plugin(*versions: ParameterVersion) -> types.ModuleType:
    """The FJT plugin with extra dated parameter versions (to test dated rules)."""
    variant = types.ModuleType("plugins.fjt.hooks_dated")
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
    """ISO birth date of someone exactly ``age`` years old at ``at``, shifted by ``days``.

    ``days=1`` is born a day later: one year younger until tomorrow's birthday.
    """
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


def young(
    age: int | None,
    activity: str | None = "EMPLOYED",
    *,
    role: str = "REFERENCE",
    days: int = 0,
    resources: float | None = None,
    at: date = TODAY,
) -> dict[str, Any]:
    """A household member for ``createHousehold`` (age None: unknown birth date)."""
    return {
        "firstName": "Camille",
        "lastName": "Martin",
        "role": role,
        "birthDate": born(age, days=days, at=at) if age is not None else None,
        "activity": activity,
        "monthlyResources": resources,
    }


@dataclass
class World:
    """Global ids of an FJT set-up: a landlord, an association running two offers, their units."""

    landlord: str
    association: str
    site: str
    t1: list[str]
    t2: str
    offer: str  # default parameters, six T1 and one T2
    vivaldi: str  # max_age=29 like the Vivaldi residence, T1 only
    vivaldi_units: list[str]


def organisation(app: ThemaTestApp, name: str, kind: str) -> str:
    """Create an organisation; return its id."""
    payload = mutate(app, "createOrganisation", {"name": name, "kind": kind}, "organisation { id }")
    return str(payload["organisation"]["id"])


def enable(app: ThemaTestApp, organisation_id: str, scheme: str = "fjt") -> None:
    """Enable a scheme for an organisation from 2019."""
    mutate(
        app,
        "enableScheme",
        {"organisationId": organisation_id, "scheme": scheme, "enabledOn": "2019-01-01"},
        "enablement { scheme }",
    )


def unit(app: ThemaTestApp, site: str, label: str, typology: str) -> str:
    """Create a furnished unit; return its id."""
    payload = mutate(
        app,
        "createUnit",
        {"siteId": site, "label": label, "typology": typology, "furnished": True},
        "unit { id }",
    )
    return str(payload["unit"]["id"])


def offer(
    app: ThemaTestApp,
    world_ids: tuple[str, str, str],
    name: str,
    units: list[str],
    *,
    capacity: int | None = None,
    parameters: dict[str, Any] | None = None,
    start: str = "2020-01-01",
) -> str:
    """Create an FJT offer of the landlord run by the association; return its id."""
    landlord, association, site = world_ids
    values: dict[str, Any] = {
        "scheme": "fjt",
        "name": name,
        "landlordId": landlord,
        "managerId": association,
        "siteId": site,
        "capacity": capacity if capacity is not None else len(units),
        "startDate": start,
        "unitIds": units,
    }
    if parameters:
        values["parameters"] = parameters
    return str(mutate(app, "createOffer", values, "offer { id }")["offer"]["id"])


def build_world(app: ThemaTestApp) -> World:
    """The standard FJT world of the tests."""
    landlord = organisation(app, "Clésence", "LANDLORD")
    association = organisation(app, "Accueil & Promotion", "ASSOCIATION")
    enable(app, landlord)
    enable(app, association)
    site = str(
        mutate(
            app,
            "createSite",
            {"organisationId": landlord, "name": "Résidence", "commune": "Soissons"},
            "site { id }",
        )["site"]["id"]
    )
    t1 = [unit(app, site, f"A{n}", "T1") for n in range(6)]
    t2 = unit(app, site, "B1", "T2")
    ids = (landlord, association, site)
    main = offer(app, ids, "FJT", [*t1, t2])
    vivaldi_units = [unit(app, site, f"V{n}", "T1") for n in range(2)]
    vivaldi = offer(app, ids, "FJT moins de 30 ans", vivaldi_units, parameters={"max_age": 29})
    return World(landlord, association, site, t1, t2, main, vivaldi, vivaldi_units)


def household(app: ThemaTestApp, owner: str, members: list[dict[str, Any]], reference: str = "J-1") -> str:
    """Create a household with ``members``; return its id."""
    payload = mutate(
        app,
        "createHousehold",
        {"organisationId": owner, "reference": reference, "members": members},
        "household { id }",
    )
    return str(payload["household"]["id"])


def move_in(app: ThemaTestApp, household_id: str, unit_id: str, offer_id: str, start: str) -> str:
    """Start an occupancy of ``unit_id`` under ``offer_id``; return the occupancy id."""
    payload = mutate(
        app,
        "startOccupancy",
        {"householdId": household_id, "unitId": unit_id, "offerId": offer_id, "startDate": start},
        "occupancy { id }",
    )
    return str(payload["occupancy"]["id"])


def move_out(app: ThemaTestApp, occupancy_id: str, end: str) -> None:
    """End an occupancy (to social housing)."""
    mutate(
        app,
        "endOccupancy",
        {"occupancyId": occupancy_id, "endDate": end, "exitDestination": "SOCIAL_RENTAL"},
        "occupancy { id }",
    )


def verdict(
    app: ThemaTestApp, household_id: str, offer_id: str | None, on: str | None = None
) -> dict[str, Any]:
    """The household's verdict for the offer (or for the scheme without one) at a date."""
    if offer_id:
        argument, declaration, target = "offerId: $target", "$target: ID!", offer_id
    else:
        argument, declaration, target = "scheme: $target", "$target: String!", "fjt"
    query = (
        f"query($h: ID!, {declaration}, $on: Date) {{ household(id: $h) {{ "
        f"eligibility({argument}, date: $on) {{ {VERDICT} }} }} }}"
    )
    data = app.graphql(query, {"h": household_id, "target": target, "on": on})
    return data["household"]["eligibility"]  # type: ignore[no-any-return]


def criterion(v: dict[str, Any], code: str) -> dict[str, Any]:
    """One criterion of a verdict."""
    return next(c for c in v["criteria"] if c["code"] == code)


def failing(v: dict[str, Any]) -> set[str]:
    """Codes of the required criteria a verdict fails (priority ones left out)."""
    return {c["code"] for c in v["criteria"] if c["outcome"] == "NOT_SATISFIED" and c["kind"] == "REQUIRED"}


def missing(v: dict[str, Any]) -> set[str]:
    """Codes of the criteria whose facts are unknown."""
    return {c["code"] for c in v["missing"]}
