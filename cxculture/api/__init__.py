"""The JSON API under /api/v1 for HR systems and BI tools: routes, schemas, errors, docs."""
