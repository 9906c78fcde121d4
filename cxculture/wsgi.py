"""The WSGI entry for gunicorn (or any WSGI server): ``gunicorn cxculture.wsgi:app``.

Configuration comes from the environment (CXCULTURE_CONFIG, DATABASE_URL, SECRET_KEY, ...);
every process builds its own app and database pool and keeps nothing another process needs."""

from cxculture import create_app

app = create_app()
