"""Shared helpers of the core tests: a small graph built through the GraphQL API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from core.testing import ThemaTestApp
from tests.core import sample_plugin


@dataclass
class Graph:
    """Global ids of a small graph: a landlord, an association, a site with units, an offer."""

    landlord: str
    association: str
    site: str
    units: list[str]
    offer: str


def mutate(
    app: ThemaTestApp, field: str, input_type: str, values: dict[str, Any], select: str
) -> dict[str, Any]:
    """Run one core mutation and return its payload, failing on user errors."""
    data = app.graphql(
        f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ {select} userErrors {{ field code message }} }} }}",
        {"input": values},
    )[field]
    assert data["userErrors"] == [], data["userErrors"]
    return data  # type: ignore[no-any-return]


def build_graph(app: ThemaTestApp, scheme: str = "sample", units: int = 3) -> Graph:
    """Create a landlord, an association, a site, units, an enabled scheme and an offer."""
    landlord = mutate(
        app,
        "createOrganisation",
        "CreateOrganisationInput",
        {"name": "Bailleur", "kind": "LANDLORD"},
        "organisation { id }",
    )["organisation"]["id"]
    asso = mutate(
        app,
        "createOrganisation",
        "CreateOrganisationInput",
        {"name": "Association", "kind": "ASSOCIATION"},
        "organisation { id }",
    )["organisation"]["id"]
    site = mutate(
        app,
        "createSite",
        "CreateSiteInput",
        {"organisationId": landlord, "name": "Résidence", "commune": "Soissons"},
        "site { id }",
    )["site"]["id"]
    unit_ids = [
        mutate(
            app,
            "createUnit",
            "CreateUnitInput",
            {"siteId": site, "label": f"A{n}", "typology": "T1"},
            "unit { id }",
        )["unit"]["id"]
        for n in range(units)
    ]
    mutate(
        app,
        "enableScheme",
        "EnableSchemeInput",
        {"organisationId": landlord, "scheme": scheme, "enabledOn": "2020-01-01"},
        "enablement { scheme }",
    )
    offer = mutate(
        app,
        "createOffer",
        "CreateOfferInput",
        {
            "scheme": scheme,
            "name": "Offre",
            "landlordId": landlord,
            "managerId": asso,
            "siteId": site,
            "capacity": units,
            "startDate": "2020-01-01",
            "unitIds": unit_ids,
        },
        "offer { id }",
    )["offer"]["id"]
    return Graph(landlord, asso, site, unit_ids, offer)


def household(
    app: ThemaTestApp,
    owner: str,
    birth_date: str | None,
    *,
    isolated: bool | None = None,
    reference: str = "M-1",
) -> str:
    """Create a one-person household; return its id."""
    member = {
        "firstName": "Camille",
        "lastName": "Martin",
        "birthDate": birth_date,
        "isolated": isolated,
    }
    return mutate(
        app,
        "createHousehold",
        "CreateHouseholdInput",
        {"organisationId": owner, "reference": reference, "members": [member]},
        "household { id }",
    )["household"]["id"]  # type: ignore[no-any-return]


@pytest.fixture
def sample_app(thema_app_factory: Callable[..., ThemaTestApp]) -> ThemaTestApp:
    """An app with only the sample plugin."""
    return thema_app_factory([sample_plugin])
