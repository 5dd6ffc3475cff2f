"""A blocked ASR plugin leaves the rest of the API working, and its names disappear."""

from __future__ import annotations

from pathlib import Path

from core.testing import make_test_app
from tests.plugins.asr.kit import TODAY


def test_blocked_asr_leaves_the_api_working(tmp_path: Path) -> None:
    app = make_test_app(
        tmp_path,
        None,
        today=TODAY,
        load_entrypoint_plugins=False,
        plugins_allow=["chrs", "asr"],
        plugins_block=["asr"],
    )
    try:
        assert [p.name for p in app.registry.plugins] == ["chrs"]
        schemes = app.graphql("{ schemes { code } }")["schemes"]
        assert [s["code"] for s in schemes] == ["chrs"]
        fields = app.graphql('{ __type(name: "Mutation") { fields { name } } }')["__type"]["fields"]
        names = {f["name"] for f in fields}
        assert "chrsSetProfile" in names and "asrSetProfile" not in names
        answer = app.graphql_raw("{ households(first: 1) { nodes { asr { version } } } }")
        assert answer.get("errors")
        org = app.graphql(
            'mutation { createOrganisation(input: {name: "Sia Habitat", kind: LANDLORD}) '
            "{ organisation { id } userErrors { code } } }"
        )["createOrganisation"]
        assert org["userErrors"] == []
        refused = app.graphql(
            'mutation($id: ID!) { enableScheme(input: {organisationId: $id, scheme: "asr", '
            'enabledOn: "2019-05-01"}) { userErrors { code } } }',
            {"id": org["organisation"]["id"]},
        )["enableScheme"]["userErrors"]
        assert [e["code"] for e in refused] == ["SCHEME_NOT_INSTALLED"]
    finally:
        app.close()
