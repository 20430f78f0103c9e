"""WSGI entry point (gunicorn jorgebot.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jorgebot.settings")
application = get_wsgi_application()
