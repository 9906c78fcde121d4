"""Results as people read them, composed from what the release layer (``cxculture.disclosure``)
released: ``dashboards`` (one department for its head or HR, the whole company for HR, with
response rates and training beside them)."""

from cxculture.services.results import dashboards

__all__ = ["dashboards"]
