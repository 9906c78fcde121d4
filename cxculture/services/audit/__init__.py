"""The audit trail: recording what HR and heads do (append-only, people by id), reading it back
a page at a time with filters, and exporting it."""

from cxculture.services.audit.trail import (
    CHUNK,
    EXPORT_BATCH,
    EXPORT_HEADER,
    INSTRUMENT_DETAILS,
    MODULE_DETAILS,
    PAGE_SIZE,
    PEOPLE_DETAILS,
    TARGET_NAMES,
    AuditFilter,
    EventRow,
    InstrumentRef,
    ModuleRef,
    PersonRef,
    events_for,
    export_events,
    record,
    record_download,
    search_events,
)

__all__ = [
    "AuditFilter",
    "CHUNK",
    "EventRow",
    "events_for",
    "EXPORT_BATCH",
    "export_events",
    "EXPORT_HEADER",
    "INSTRUMENT_DETAILS",
    "InstrumentRef",
    "MODULE_DETAILS",
    "ModuleRef",
    "PAGE_SIZE",
    "PEOPLE_DETAILS",
    "PersonRef",
    "record",
    "record_download",
    "search_events",
    "TARGET_NAMES",
]
