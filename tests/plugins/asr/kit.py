"""Helpers of the ASR tests: a landlord's tenants and an ASR offer built through the GraphQL API."""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from core import ParameterVersion, hookimpl
from core.testing import ThemaTestApp, make_test_app
from plugins.asr import hooks
from plugins.asr.scheme import SCHEME

#: The reference date of the tests (the app's "today").
TODAY = date(2026, 1, 1)

VERDICT = (
    "status parameterVersion referenceDate parameters { version values overridden } "
    "criteria { code kind outcome message value threshold } failing { code kind } "
    "missing { code kind }"
)
PROFILE = (
    "profile { householdId greatPrecarity rentArrearsAmount suspectedPsychologicalTroubles "
    "identifiedOn identifiedBy identificationSource identifyingOrganisationId version }"
)


def new_app(tmp_path: Path, backend: str = "sqlite", plugin: Any = hooks) -> ThemaTestApp:
    """An app with the ASR plugin only, whose today is ``TODAY``."""
    return make_test_app(tmp_path, [plugin], backend=backend, today=TODAY)


def dated_plugin(*versions: ParameterVersion) -> types.ModuleType:
    """The ASR plugin with extra dated parameter versions (to test dated rules)."""
    variant = types.ModuleType("plugins.asr.hooks_dated")
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


def raw_mutate(
    app: ThemaTestApp, field: str, input_type: str, values: dict[str, Any], select: str
) -> dict[str, Any]:
    """Run a mutation and return its payload, user errors included."""
    query = (
        f"mutation($input: {input_type}!) {{ {field}(input: $input) "
        f"{{ {select} userErrors {{ field code message }} }} }}"
    )
    return app.graphql(query, {"input": values})[field]  # type: ignore[no-any-return]


def mutate(app: ThemaTestApp, field: str, values: dict[str, Any], select: str) -> dict[str, Any]:
    """Run a mutation whose input type is ``<Field>Input``; fail on user errors."""
    payload = raw_mutate(app, field, field[0].upper() + field[1:] + "Input", values, select)
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


@dataclass
class World:
    """Global ids: the landlord, another landlord, two associations, units in and out of a QPV."""

    landlord: str
    other_landlord: str
    association: str
    second_association: str
    qpv_units: list[str]
    units: list[str]
    foreign_unit: str
    offer: str


def organisation(app: ThemaTestApp, name: str, kind: str) -> str:
    """Create an organisation; return its id."""
    return mutate(app, "createOrganisation", {"name": name, "kind": kind}, "organisation { id }")[
        "organisation"
    ]["id"]


def site_units(app: ThemaTestApp, owner: str, name: str, qpv: bool, n: int) -> list[str]:
    """A site of ``owner`` with ``n`` T2 units; returns the unit ids."""
    site = mutate(
        app,
        "createSite",
        {"organisationId": owner, "name": name, "commune": "Douai", "inPriorityDistrict": qpv},
        "site { id }",
    )["site"]["id"]
    return [
        mutate(
            app, "createUnit", {"siteId": site, "label": f"{name[:3]}-{k}", "typology": "T2"}, "unit { id }"
        )["unit"]["id"]
        for k in range(n)
    ]


def build_world(app: ThemaTestApp, *, parameters: dict[str, Any] | None = None) -> World:
    """Sia Habitat with a QPV site and an ordinary one, another landlord, and the ASR offer."""
    sia = organisation(app, "Sia Habitat", "LANDLORD")
    other = organisation(app, "Autre bailleur", "LANDLORD")
    ajar = organisation(app, "AJAR", "ASSOCIATION")
    pose = organisation(app, "La Pose", "ASSOCIATION")
    qpv = site_units(app, sia, "Frais-Marais", True, 3)
    plain = site_units(app, sia, "Patrimoine Douai", False, 6)
    foreign = site_units(app, other, "Ailleurs", False, 1)[0]
    for org in (sia, ajar, pose):
        mutate(
            app,
            "enableScheme",
            {"organisationId": org, "scheme": "asr", "enabledOn": "2019-01-01"},
            "enablement { scheme }",
        )
    values: dict[str, Any] = {
        "scheme": "asr",
        "name": "ASR Sia Habitat",
        "landlordId": sia,
        "managerId": sia,
        "startDate": "2019-05-01",
    }
    if parameters is not None:
        values["parameters"] = parameters
    offer = mutate(app, "createOffer", values, "offer { id }")["offer"]["id"]
    return World(sia, other, ajar, pose, qpv, plain, foreign, offer)


def tenant(
    app: ThemaTestApp,
    owner: str,
    unit: str | None,
    *,
    isolated: bool | None = True,
    start: str = "2015-01-01",
    end: str | None = None,
    reference: str = "LOC",
    spouse: bool = False,
) -> str:
    """A household of ``owner`` renting ``unit`` from ``start`` (to ``end``); returns its id."""
    members = [
        {
            "firstName": "Dominique",
            "lastName": "Leroy",
            "role": "REFERENCE",
            "birthDate": born(55),
            "isolated": isolated,
        }
    ]
    if spouse:
        members.append({"firstName": "Alex", "lastName": "Leroy", "role": "SPOUSE", "birthDate": born(54)})
    hid = mutate(
        app,
        "createHousehold",
        {"organisationId": owner, "reference": reference, "members": members},
        "household { id }",
    )["household"]["id"]
    if unit is not None:
        occ = mutate(
            app,
            "startOccupancy",
            {"householdId": hid, "unitId": unit, "startDate": start},
            "occupancy { id }",
        )["occupancy"]["id"]
        if end:
            mutate(app, "endOccupancy", {"occupancyId": occ, "endDate": end}, "occupancy { id }")
    return hid


def set_profile(app: ThemaTestApp, hid: str, **values: Any) -> dict[str, Any]:
    """Record the ASR identification; returns the payload (user errors included)."""
    return raw_mutate(app, "asrSetProfile", "AsrSetProfileInput", {"householdId": hid, **values}, PROFILE)


def identified(
    app: ThemaTestApp, hid: str, *, precarity: bool | None = True, troubles: bool | None = False
) -> None:
    """Record an identification by the rent-recovery team."""
    payload = set_profile(
        app,
        hid,
        greatPrecarity=precarity,
        suspectedPsychologicalTroubles=troubles,
        identifiedOn="2025-11-15",
        identifiedBy="Équipe recouvrement Douai",
        identificationSource="RENT_RECOVERY",
    )
    assert payload["userErrors"] == [], payload["userErrors"]


def verdict(app: ThemaTestApp, hid: str, offer: str | None = None, on: str | None = None) -> dict[str, Any]:
    """The household's ASR verdict (for the offer, or for the scheme)."""
    if offer:
        head, args = "$id: ID!, $offer: ID, $on: Date", "offerId: $offer, date: $on"
    else:
        head, args = "$id: ID!, $on: Date", 'scheme: "asr", date: $on'
    query = f"query({head}) {{ household(id: $id) {{ eligibility({args}) {{ {VERDICT} }} }} }}"
    variables = {"id": hid, "on": on, **({"offer": offer} if offer else {})}
    return app.graphql(query, variables)["household"]["eligibility"]  # type: ignore[no-any-return]


def criterion(v: dict[str, Any], code: str) -> dict[str, Any]:
    """One criterion of a verdict."""
    return next(c for c in v["criteria"] if c["code"] == code)


def codes(items: list[dict[str, Any]]) -> list[str]:
    """The codes of a list of criteria."""
    return [c["code"] for c in items]


def episode(
    app: ThemaTestApp, hid: str, organisation: str, offer: str, start: str, end: str | None = None
) -> str:
    """A support episode under the offer; returns its id."""
    eid = mutate(
        app,
        "startSupportEpisode",
        {"householdId": hid, "organisationId": organisation, "offerId": offer, "startDate": start},
        "episode { id }",
    )["episode"]["id"]
    if end:
        mutate(app, "endSupportEpisode", {"episodeId": eid, "endDate": end}, "episode { id }")
    return eid


def contact(app: ThemaTestApp, eid: str, on: str, kind: str = "HOME_VISIT") -> None:
    """A contact of the episode."""
    mutate(
        app,
        "addSupportContact",
        {"episodeId": eid, "contactOn": on, "kind": kind, "durationMinutes": 60},
        "contact { id }",
    )
