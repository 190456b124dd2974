"""gunicorn's settings, read by itself when started from this folder.

It listens on the loopback address only: the HTTPS proxy in front (see "Running in
production" in docs/operations-and-production.md) is the one public entry, where body size
limits and headers are enforced.
Command-line options (e.g. --bind, --workers) override these.
"""

import gunicorn.http.wsgi

bind = "127.0.0.1:8000"
workers = 2
# Responses say "Server: web" instead of gunicorn's name and version.
gunicorn.http.wsgi.SERVER = "web"
