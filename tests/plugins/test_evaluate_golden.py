"""The per-household path's verdicts, messages included, do not drift: a golden digest on random data.

``test_set_based_eligibility`` checks that ``evaluate`` and ``decide`` agree on outcomes and
statuses; this checks everything else a verdict says (messages, values, thresholds, kinds), on
the same seeded random world, with and without offers and their overrides. When a rule's wording
changes on purpose, print ``_verdicts`` and update ``GOLDEN``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.facts import load_household_facts
from core.models import Household, Offer
from core.plugins import Registry
from core.services import eligibility as elig
from tests.plugins import test_set_based_eligibility as set_based
from tests.plugins.test_set_based_eligibility import DAY, OVERRIDES, _on_the_quota, _random_world

world = set_based.world  # the same fixture: every built-in plugin, a fresh database with the demo

#: sha256 of ``_verdicts`` on ``_random_world(seed=5, n=200)`` per backend (their ids differ),
#: computed with the straightforward rules, before their results were shared between households.
GOLDEN = {
    "sqlite": "cef8298d9456f6809149a542a99f967db80d92be5b95cf7242335ab1f58a8007",
    "postgres": "786a837f0a9f25e92f5b29a96f3775e6fb132256b3337155ebca62b9d6454e32",
}


def _line(code: str, offer: str, hid: int, verdict: Any) -> str:
    criteria = [
        (c.code, c.outcome.value, c.message, c.value, c.threshold, c.kind.value) for c in verdict.criteria
    ]
    return repr((code, offer, hid, verdict.status.value, verdict.offer_id is not None, criteria))


def _verdicts(s: Session, registry: Registry) -> list[str]:
    """Every verdict of every household, per scheme, without offer then for each offer and override."""
    ids = list(s.execute(select(Household.id).order_by(Household.id)).scalars())
    facts = load_household_facts(s, ids, DAY)
    offers = list(s.execute(select(Offer).order_by(Offer.id)).scalars())
    lines: list[str] = []
    for code in sorted(registry.rules):
        cases: list[tuple[str, Offer | None]] = [("-", None)]
        for offer in (o for o in offers if o.scheme == code):
            cases.append((offer.name, offer))
        for label, offer in cases:
            shared = elig.evaluate(s, registry, code, ids, DAY, offer, facts)
            alone = elig.evaluate(s, registry, code, ids, DAY, offer)
            assert shared == alone, (code, label)
            lines += [_line(code, label, hid, v) for hid, v in sorted(shared.items())]
        for overrides in OVERRIDES.get(code, ()):
            for offer in (o for o in offers if o.scheme == code):
                defaults = dict(offer.parameters or {})
                offer.parameters = {**defaults, **overrides, **_on_the_quota(s, offer, overrides)}
                label = f"{offer.name} {sorted(overrides)}"
                verdicts = elig.evaluate(s, registry, code, ids, DAY, offer, facts)
                lines += [_line(code, label, hid, v) for hid, v in sorted(verdicts.items())]
                offer.parameters = defaults
    s.rollback()
    return lines


def test_evaluate_verdicts_match_the_golden_digest(
    world: tuple[Registry, Engine], thema_backend: str
) -> None:
    registry, engine = world
    _random_world(registry, engine, seed=5, n=200)
    with Session(engine) as s:
        lines = _verdicts(s, registry)
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    assert len(lines) > 5000
    assert digest == GOLDEN[thema_backend], (digest, len(lines))
