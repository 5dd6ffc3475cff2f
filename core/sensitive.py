"""Sensitive fields: readable only with their permission, every read audited, else null with a reason.

Plugins declare them (``register_sensitive_fields``); the core guards them once the schema is
built, by wrapping their resolvers in that schema only (classes shared with other builds are left
untouched).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType, default_field_resolver
from strawberry import Schema

from core.audit import sensitive_read
from core.contract import SensitiveField
from core.graphql.api import household_pk
from core.plugins import PluginError, Registry


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _guard(declared: SensitiveField, original: Any) -> Any:
    def resolve(root: Any, info: Any, **args: Any) -> Any:
        ctx = info.context
        caller = getattr(ctx, "caller", None)
        if caller is not None and not caller.has(declared.permission):
            ctx.redactions.append(
                {
                    "path": list(info.path.as_list()),
                    "reason": f"Champ sensible ({declared.category.value}) : la permission "
                    f"« {declared.permission} » est requise pour le lire.",
                    "permission": declared.permission,
                }
            )
            return None
        value = original(root, info, **args)
        if caller is not None:
            event = sensitive_read(
                caller.subject,
                caller.organisation_id,
                None,
                household_pk(root),
                declared.type_name,
                declared.field_name,
            )
            ctx.audit.append(event)
        return value

    return resolve


def guard_sensitive_fields(schema: Schema, registry: Registry) -> None:
    """Wrap the resolver of every declared sensitive field of ``schema``; refuse bad declarations."""
    type_map = schema._schema.type_map
    for declared in registry.sensitive_fields:
        gtype = type_map.get(declared.type_name)
        if not isinstance(gtype, GraphQLObjectType):
            raise PluginError(
                f"plugin of scheme {declared.scheme!r} declares sensitive field "
                f"{declared.type_name}.{declared.field_name}, but no such type is in the schema"
            )
        name = _camel(declared.field_name)
        field = gtype.fields.get(name) or gtype.fields.get(declared.field_name)
        if field is None:
            raise PluginError(
                f"sensitive field {declared.type_name}.{declared.field_name} of scheme "
                f"{declared.scheme!r} is not in the schema"
            )
        if isinstance(field.type, GraphQLNonNull):
            raise PluginError(
                f"sensitive field {declared.type_name}.{name} must be nullable: it reads as null "
                "for callers without the permission"
            )
        field.resolve = _guard(declared, field.resolve or default_field_resolver)
