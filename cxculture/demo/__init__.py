"""The demo company: a realistic organisation, two survey waves and training to explore the
product with (``flask --app cxculture seed-demo``). Not part of the product's use cases: it
builds its data through them."""

from cxculture.demo.company import (
    DEFAULT_PASSWORD,
    DEMO_DOMAIN,
    existing_demo_logins,
    is_database_empty,
    seed_demo,
)

__all__ = [
    "DEFAULT_PASSWORD",
    "DEMO_DOMAIN",
    "existing_demo_logins",
    "is_database_empty",
    "seed_demo",
]
