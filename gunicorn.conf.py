"""gunicorn settings for cxculture; every value can be overridden by the environment.

gunicorn            # reads this file from the working directory
GUNICORN_BIND=0.0.0.0:8000 WEB_CONCURRENCY=8 gunicorn
"""

import multiprocessing
import os

wsgi_app = "cxculture.wsgi:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the work is database-bound and short; two per core plus one is the usual start.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so that no slow growth of memory lasts.
max_requests = 5000
max_requests_jitter = 500
# Behind a TLS-terminating proxy: trust its X-Forwarded-Proto from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
