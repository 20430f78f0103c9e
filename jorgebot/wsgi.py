"""WSGI entry point (gunicorn jorgebot.wsgi): Django, behind the fast path for GHL's marketplace webhooks."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jorgebot.settings")
django_application = get_wsgi_application()

from leads.ingest.fast_path import WebhookFastPath  # noqa: E402  (needs Django set up)

application = WebhookFastPath(django_application)
