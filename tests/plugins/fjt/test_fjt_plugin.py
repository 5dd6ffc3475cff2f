"""The FJT plugin as the host sees it: catalogue, and the API without it when it is blocked."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event

from core.testing import ThemaTestApp, make_test_app
from tests.plugins.fjt.kit import TODAY, World


def test_plugin_catalogue_lists_parameters_criteria_indicators(app: ThemaTestApp) -> None:
    query = """{ schemes { code label version parameters { key default source }
      criteria { code kind source } indicators { key definition target } } }"""
    fjt = next(s for s in app.graphql(query)["schemes"] if s["code"] == "fjt")
    assert {p["key"]: p["default"] for p in fjt["parameters"]} == {
        "min_age": 16,
        "max_age": 30,
        "priority_max_age": 25,
        "activity_share_min": 0.6,
        "max_monthly_resources": None,
    }
    assert [c["code"] for c in fjt["criteria"]] == [
        "fjt.age",
        "fjt.activity",
        "fjt.resources",
        "fjt.household",
        "fjt.priority_age",
    ]
    assert all(p["source"] for p in fjt["parameters"])
    assert all(c["source"] for c in fjt["criteria"])
    assert {i["key"] for i in fjt["indicators"]} == {
        "occupancy_rate",
        "share_16_25",
        "activity_share",
        "average_stay_days",
        "arrivals",
        "departures",
    }


def test_plugin_blocked_leaves_the_rest_of_the_api_working(tmp_path: Path) -> None:
    app = make_test_app(
        tmp_path,
        None,
        today=TODAY,
        plugins_allow=["fjt", "habited"],
        plugins_block=["fjt"],
        load_entrypoint_plugins=False,
    )
    try:
        assert [s["code"] for s in app.graphql("{ schemes { code } }")["schemes"]] == ["habited"]
        answer = app.graphql_raw("{ offers(first: 1) { nodes { fjtActivityQuota { share } } } }")
        assert answer.get("errors")  # the FJT field does not exist in this schema
        org = app.graphql(
            'mutation { createOrganisation(input: {name: "Clésence", kind: LANDLORD}) '
            "{ organisation { id } userErrors { code } } }"
        )["createOrganisation"]
        assert org["userErrors"] == []
        refused = app.graphql(
            'mutation($o: ID!) { enableScheme(input: {organisationId: $o, scheme: "fjt", '
            'enabledOn: "2025-01-01"}) { userErrors { code } } }',
            {"o": org["organisation"]["id"]},
        )["enableScheme"]
        assert [e["code"] for e in refused["userErrors"]] == ["SCHEME_NOT_INSTALLED"]
    finally:
        app.close()


def test_plugin_quota_batched_across_a_page_of_offers(app: ThemaTestApp, world: World) -> None:
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "FROM person" in statement:
            statements.append(statement)

    query = '{ offers(scheme: "fjt", first: 10) { nodes { fjtActivityQuota { residents } } } }'
    event.listen(app.engine, "before_cursor_execute", record)
    try:
        nodes = app.graphql(query)["offers"]["nodes"]
    finally:
        event.remove(app.engine, "before_cursor_execute", record)
    assert len(nodes) == 2
    assert len(statements) == 1  # one statement for both offers (DataLoader)
