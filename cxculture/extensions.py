"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from collections.abc import Mapping
from urllib.parse import urlsplit

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect

from cxculture.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
# Rate limits, counted in Redis when REDIS_URL is set (shared by every process), else in memory.
limiter = Limiter(key_func=get_remote_address)
# Security headers on every response (set up in create_app with the policy below).
talisman = Talisman()
# Everything comes from this site: no inline script or style, no frames, no plugins.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # Bootstrap draws its icons (the phone menu button, select arrows, radio dots, validation
    # marks) as data: SVG images in its CSS; without data: the phone menu has no visible button.
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


# No Authlib ``OAuth`` registry here: it keeps one client per name whatever the app, so each app
# gets its own (cxculture.auth.oidc.init_app).


def content_security_policy(config: Mapping[str, object]) -> dict[str, str]:
    """The policy above; with single sign-on on, the OpenID provider's origin is also a form
    target: logging out is a form, and browsers hold the redirect that follows it (to the
    provider's end-session page) to form-action too."""
    issuer = config.get("CX_OIDC_ISSUER")
    if not isinstance(issuer, str):
        return CONTENT_SECURITY_POLICY
    parts = urlsplit(issuer)
    return {**CONTENT_SECURITY_POLICY, "form-action": f"'self' {parts.scheme}://{parts.netloc}"}
