"""Results as people read them, composed from what the release layer (``cxculture.disclosure``)
released: ``dashboards`` (one department for its head or HR, the whole company for HR, with
response rates and training beside them) and ``homes`` (each role's home page: what needs the
reader now, with released results, guarded response rates and assigned training)."""

from cxculture.services.results import dashboards, homes

__all__ = ["dashboards", "homes"]
