"""The built-in example: the seed's sample request against a small example org."""

from __future__ import annotations

import json
from typing import Any

from .engine import Engine

#: The Kaizen #56 sample request, verbatim (R5, R10, R17).
SEED_REQUEST: dict[str, Any] = {
    "data": [
        {
            "Last_Name": "Frey (Sample)",
            "Email": "frey@sample.com",
            "Company": "abc",
            "Lead_Status": "Contacted",
        },
        {
            "Last_Name": "New Lead",
            "First_Name": "CRM Lead",
            "Email": "newlead@zoho.com",
            "Lead_Status": "Attempted to Contact",
            "Mobile": "7685635434",
        },
    ],
    "duplicate_check_fields": ["Email", "Mobile"],
}

#: A small org: Leads with Mobile made unique, and two existing leads.
EXAMPLE_LEADS: list[dict[str, Any]] = [
    {"Last_Name": "Frey", "First_Name": "Ada", "Email": "Frey@Sample.com ", "Company": "abc"},
    {"Last_Name": "Moss", "Email": "moss@example.org", "Mobile": "9876543210"},
]


def example_engine() -> Engine:
    """The example org of the demo: Leads.Mobile unique, two leads loaded."""
    engine = Engine()
    engine.add_field("Leads", "Mobile", "phone", unique=True)
    engine.load("Leads", EXAMPLE_LEADS)
    return engine


#: A second request: matches Frey by Email, then collides with Moss on Mobile (R10, R14).
COLLISION_REQUEST: dict[str, Any] = {
    "data": [{"Last_Name": "Frey", "Email": "frey@sample.com", "Mobile": "9876543210"}]
}


def run_demo() -> str:
    """The demo's output: the seed request's response and the explanation of each record."""
    engine = example_engine()
    before = _brief(engine)
    explanation = engine.explain("Leads", SEED_REQUEST)
    response = engine.upsert("Leads", SEED_REQUEST)
    collision = engine.explain("Leads", COLLISION_REQUEST)
    collision_response = engine.upsert("Leads", COLLISION_REQUEST)
    parts = [
        "Example org: Leads (system field Email; Mobile made unique), records:",
        *(f"  {json.dumps(r, sort_keys=True)}" for r in before),
        "",
        "Request (the Kaizen #56 sample): POST /crm/v8/Leads/upsert",
        json.dumps(SEED_REQUEST, indent=2),
        "",
        f"Response: HTTP {response.status}",
        json.dumps(response.body, indent=2),
        "",
        "Explanation:",
        explanation.to_text(),
        "",
        "Second request: an update that would give Frey the Mobile Moss holds",
        json.dumps(COLLISION_REQUEST),
        f"Response: HTTP {collision_response.status}",
        json.dumps(collision_response.body, indent=2),
        "",
        "Explanation:",
        collision.to_text(),
        "",
        "Leads afterwards:",
        *(f"  {json.dumps(r, sort_keys=True)}" for r in _brief(engine)),
    ]
    return "\n".join(parts)


def _brief(engine: Engine) -> list[dict[str, Any]]:
    keep = ("id", "Last_Name", "First_Name", "Email", "Mobile", "Company", "Lead_Status")
    return [{k: r[k] for k in keep if k in r} for r in engine.records("Leads")]
