"""Personal data never reaches the logs: a canary value is written, read, refused and failed on."""

from __future__ import annotations

import logging

import pytest

from core.logs import JsonFormatter, TextFormatter
from core.testing import ThemaTestApp
from tests.core.conftest import build_graph

CANARY = "Zébulon-Canari-7731"


def test_canary_personal_values_never_reach_the_logs(
    sample_app: ThemaTestApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    g = build_graph(sample_app)
    member = {"firstName": CANARY, "lastName": CANARY, "birthDate": "1990-01-01"}
    created = sample_app.graphql(
        "mutation($i: CreateHouseholdInput!) { createHousehold(input: $i) { household { id members { firstName } } } }",
        {"i": {"organisationId": g.landlord, "reference": "R", "members": [member]}},
    )
    hid = created["createHousehold"]["household"]["id"]
    assert created["createHousehold"]["household"]["members"][0]["firstName"] == CANARY
    # Refused input, a failing query and a database error all carry the canary.
    sample_app.graphql_raw(
        "mutation($i: CreateHouseholdInput!) { createHousehold(input: $i) { userErrors { code } } }",
        {
            "i": {
                "organisationId": g.landlord,
                "reference": CANARY * 10,
                "members": [{**member, "birthDate": "2999-01-01"}],
            }
        },
    )
    sample_app.graphql_raw("query($h: ID!) { household(id: $h) { nope } }", {"h": hid})
    sample_app.graphql_raw(
        f'mutation {{ createUnit(input: {{siteId: "{g.site}", label: "{CANARY}", typology: T1, nationalId: "X"}}) {{ userErrors {{ code }} }} }}'
    )
    sample_app.graphql_raw(
        f'mutation {{ createUnit(input: {{siteId: "{g.site}", label: "{CANARY}", typology: T1, nationalId: "X"}}) {{ userErrors {{ code }} }} }}'
    )
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert caplog.records, "nothing was logged: the test would prove nothing"
    assert CANARY not in logged
    # The access log, as production writes it (JSON and text lines with every field).
    access = [r for r in caplog.records if r.name == "thema.access"]
    assert len(access) >= 6, "every request writes an access line"
    for fmt in (JsonFormatter(), TextFormatter()):
        lines = "\n".join(fmt.format(r) for r in caplog.records)
        assert '"operation": "anonymous"' in lines or "operation=anonymous" in lines
        assert CANARY not in lines
