from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The broker console: Django's admin with the dashboard as its front page, the REST API, broker actions and
    demo data. It reads and writes through the domain apps (leads, bots, analytics, alerts) and has no models of its
    own; no domain app imports it (tests/test_import_contracts.py)."""

    name = "console"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from console import local_time  # noqa: F401 (keeps each user's time zone in their session at sign-in)
