"""gunicorn's settings for the web process: `gunicorn -c config/gunicorn.py config.wsgi`.

Every value can be changed from the environment (GUNICORN_*), and gunicorn's own
command-line options still win over this file.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Longer than the slowest request may take (PAYEX_REQUEST_DEADLINE, 15 s by default).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# The access log: on standard output, paths as route templates, no address or headers.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
logger_class = "billing_bff.accesslog.RedactedAccessLogger"
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
