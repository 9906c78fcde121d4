"""SQLAlchemy models, one module per area; importing this package registers them all."""

from cxculture.models.base import Base
from cxculture.models.org import Department, Role, User, department_heads

__all__ = ["Base", "Department", "Role", "User", "department_heads"]
