"""The OpenAPI document and a page to browse it, both public: they describe the API's shape
and hold no data, and an integrator needs them before HR hands over a token.

The page is Swagger UI, served from this site (the flask-swagger-ui package ships its files;
only those files are used, not its blueprint, whose page has an inline script): the
Content-Security-Policy allows scripts and styles from this site only. This one page also
allows ``data:`` images, the few icons Swagger UI's stylesheet draws as inline SVG.
"""

from __future__ import annotations

from importlib.resources import files

from flask import Blueprint, current_app, jsonify, render_template

from cxculture.access import public
from cxculture.extensions import CONTENT_SECURITY_POLICY, talisman

SWAGGER_UI = files("flask_swagger_ui") / "dist"

bp = Blueprint(
    "api_docs",
    __name__,
    static_folder=str(SWAGGER_UI),
    static_url_path="/api/v1/docs/assets",
)


@bp.route("/api/v1/openapi.json")
@public
def openapi_json():
    return jsonify(current_app.extensions["cxculture-api"].spec.to_dict())


@bp.route("/api/v1/docs")
@public
@talisman(content_security_policy={**CONTENT_SECURITY_POLICY, "img-src": "'self' data:"})
def docs():
    return render_template("api/docs.html")
