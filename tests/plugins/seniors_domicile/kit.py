"""Test kit for « Seniors à domicile »: a small world built through the GraphQL API, like a client."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.testing import ThemaTestApp

#: The tests' "today" (the demo date): fixed so birth dates computed from it never drift.
TODAY = date(2026, 1, 1)
PROGRAMME_START = date(2019, 8, 1)
SCHEME = "seniors_domicile"


def years_before(day: date, years: int) -> date:
    """The date ``years`` years before ``day`` (28 February for a 29 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


class World:
    """A landlord running the programme, built through the GraphQL API like a client would."""

    def __init__(self, app: ThemaTestApp, name: str = "Oise Test Habitat") -> None:
        self.app = app
        self.landlord = self.organisation(name, "LANDLORD")
        self.enable(self.landlord, PROGRAMME_START)
        self.site = self.gql(
            """mutation($i: CreateSiteInput!) { createSite(input: $i) {
                 site { id } userErrors { code field } } }""",
            {"organisationId": self.landlord, "name": "Parc test", "commune": "Beauvais"},
        )["createSite"]["site"]["id"]
        self.offer = self.create_offer("Seniors à domicile — test")
        self._units = 0
        self._households = 0

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a mutation with ``$i`` bound to ``variables``, asserting no user error."""
        data = self.app.graphql(query, {"i": variables} if variables is not None else None)
        for payload in data.values():
            if isinstance(payload, dict) and "userErrors" in payload:
                assert payload["userErrors"] == [], payload["userErrors"]
        return data

    def organisation(self, name: str, kind: str) -> str:
        """Create an organisation; its global id."""
        return str(
            self.gql(
                """mutation($i: CreateOrganisationInput!) { createOrganisation(input: $i) {
                     organisation { id } userErrors { code field } } }""",
                {"name": name, "kind": kind},
            )["createOrganisation"]["organisation"]["id"]
        )

    def enable(self, organisation: str, on: date) -> None:
        """Enable the scheme for an organisation from ``on``."""
        self.gql(
            """mutation($i: EnableSchemeInput!) { enableScheme(input: $i) { userErrors {
                 code field } } }""",
            {"organisationId": organisation, "scheme": SCHEME, "enabledOn": on.isoformat()},
        )

    def create_offer(
        self,
        name: str,
        parameters: dict[str, Any] | None = None,
        landlord: str | None = None,
        start: date = PROGRAMME_START,
        end: date | None = None,
    ) -> str:
        """A portfolio-wide offer (no site) of the landlord; its global id."""
        landlord = landlord or self.landlord
        data = {
            "scheme": SCHEME,
            "name": name,
            "landlordId": landlord,
            "managerId": landlord,
            "startDate": start.isoformat(),
            "endDate": end.isoformat() if end else None,
            "parameters": parameters or {},
        }
        return str(
            self.gql(
                """mutation($i: CreateOfferInput!) { createOffer(input: $i) {
                     offer { id } userErrors { code field message } } }""",
                data,
            )["createOffer"]["offer"]["id"]
        )

    def unit(self, site: str | None = None) -> str:
        """A new T2 unit of the site (the landlord's by default)."""
        self._units += 1
        return str(
            self.gql(
                """mutation($i: CreateUnitInput!) { createUnit(input: $i) {
                     unit { id } userErrors { code field } } }""",
                {"siteId": site or self.site, "label": f"U{self._units:04d}", "typology": "T2"},
            )["createUnit"]["unit"]["id"]
        )

    def household(
        self,
        *members: dict[str, Any],
        owner: str | None = None,
        unit: str | None = None,
        moved_in: date | None = date(2000, 1, 1),
    ) -> str:
        """A household of ``members`` (PersonInput dicts), tenant of a new unit unless told."""
        self._households += 1
        people = []
        for m in members:
            person = {"firstName": "Test", "lastName": f"M{self._households}", **m}
            if isinstance(person.get("birthDate"), date):
                person["birthDate"] = person["birthDate"].isoformat()
            people.append(person)
        hid = str(
            self.gql(
                """mutation($i: CreateHouseholdInput!) { createHousehold(input: $i) {
                     household { id } userErrors { code field message } } }""",
                {
                    "organisationId": owner or self.landlord,
                    "reference": f"T-{self._households:04d}",
                    "members": people,
                },
            )["createHousehold"]["household"]["id"]
        )
        if moved_in is not None:
            self.gql(
                """mutation($i: StartOccupancyInput!) { startOccupancy(input: $i) {
                     occupancy { id } userErrors { code field message } } }""",
                {
                    "householdId": hid,
                    "unitId": unit or self.unit(),
                    "startDate": moved_in.isoformat(),
                },
            )
        return hid

    def senior(self, age_on: date, age: int = 75, **person: Any) -> str:
        """A one-person household aged ``age`` (birthday ``age_on``), tenant of the landlord."""
        return self.household({"birthDate": years_before(age_on, age), **person})

    def verdict(self, household: str, on: date, offer: str | None = None) -> dict[str, Any]:
        """The household's verdict for the offer (the world's by default) at ``on``."""
        data = self.app.graphql(
            """query($h: ID!, $o: ID, $d: Date) { node(id: $h) { ... on Household {
                 eligibility(offerId: $o, date: $d) {
                   status referenceDate parameterVersion
                   parameters { version effectiveFrom values overridden }
                   criteria { code kind outcome message value threshold }
                   failing { code } missing { code } } } } }""",
            {"h": household, "o": offer or self.offer, "d": on.isoformat()},
        )
        verdict: dict[str, Any] = data["node"]["eligibility"]
        return verdict

    def contact(self, household: str, on: date, outcome: str, **extra: Any) -> dict[str, Any]:
        """Record a contact; the payload (visit and user errors)."""
        data = self.app.graphql(
            """mutation($i: SeniorsDomicileRecordContactInput!) {
                 seniorsDomicileRecordContact(input: $i) {
                   visit { id contactedOn contactOutcome refused refusalReason contactChannel
                           version }
                   userErrors { field code message } } }""",
            {
                "i": {
                    "householdId": household,
                    "offerId": extra.pop("offer", self.offer),
                    "contactedOn": on.isoformat(),
                    "outcome": outcome,
                    **extra,
                }
            },
        )
        payload: dict[str, Any] = data["seniorsDomicileRecordContact"]
        return payload

    def visit(self, household: str, on: date, minutes: int = 90, **extra: Any) -> dict[str, Any]:
        """Record a visit; the payload (visit and user errors)."""
        for key, value in list(extra.items()):
            if isinstance(value, date):
                extra[key] = value.isoformat()
        data = self.app.graphql(
            """mutation($i: SeniorsDomicileRecordVisitInput!) {
                 seniorsDomicileRecordVisit(input: $i) {
                   visit { id visitOn durationMinutes risks kitInstalledOn kitLedBulbs
                           kitAerators kitPressureReducers carsatOffersRelayed
                           urgentInterventionOn urgentIntervention socialServicesAlertOn
                           socialServicesAlert notes version }
                   userErrors { field code message } } }""",
            {
                "i": {
                    "householdId": household,
                    "offerId": extra.pop("offer", self.offer),
                    "visitOn": on.isoformat(),
                    "durationMinutes": minutes,
                    **extra,
                }
            },
        )
        payload: dict[str, Any] = data["seniorsDomicileRecordVisit"]
        return payload

    def indicators(
        self, start: date, end: date, scope: str | None = None, keys: list[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """The scheme's indicators over the scope (the world's offer by default), by key."""
        data = self.app.graphql(
            """query($id: ID!, $from: Date, $to: Date, $keys: [String!]) { node(id: $id) {
                 ... on Offer { indicators(from: $from, to: $to, keys: $keys) { ...F } }
                 ... on Organisation { indicators(scheme: "seniors_domicile", from: $from,
                                                  to: $to, keys: $keys) { ...F } }
                 ... on Site { indicators(scheme: "seniors_domicile", from: $from, to: $to,
                                          keys: $keys) { ...F } } } }
               fragment F on IndicatorValue { key label unit value numerator denominator target
                 targetLabel definition households(first: 100) { totalCount nodes { id } } }""",
            {
                "id": scope or self.offer,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "keys": keys,
            },
        )
        return {i["key"]: i for i in data["node"]["indicators"]}
