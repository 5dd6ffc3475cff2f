"""Who may introspect the schema: ``THEMA_INTROSPECTION`` (always, developers, never)."""

from __future__ import annotations

from typing import Literal

from graphql import DocumentNode, FieldNode, GraphQLError

from core.security.limits import document_nodes, refusal

INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
#: Fields that read the schema itself; ``__typename`` is ordinary data and always allowed.
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})

IntrospectionPolicy = Literal["always", "developers", "never"]


def is_introspection(document: DocumentNode) -> bool:
    """Whether the document asks for ``__schema`` or ``__type`` anywhere (fragments included)."""
    return any(
        isinstance(n, FieldNode) and n.name.value in INTROSPECTION_FIELDS for n in document_nodes(document)
    )


def introspection_allowed(policy: IntrospectionPolicy, environment: str, developer: bool | None) -> bool:
    """Whether a caller may introspect: ``developer`` is None when no caller is known.

    ``always`` and ``never`` hold for everyone; ``developers`` (the default) allows callers holding
    the developer permission, and, without a known caller, every environment but production.
    """
    if policy == "always":
        return True
    if policy == "never":
        return False
    if developer is None:
        return environment != "production"
    return developer


def introspection_refusal() -> GraphQLError:
    """The error answering a refused introspection query."""
    return refusal(
        "L'introspection du schéma est réservée aux développeurs ; le schéma est publié dans "
        "schema/schema.graphql.",
        INTROSPECTION_DISABLED,
    )
