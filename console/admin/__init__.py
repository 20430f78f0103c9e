"""Every ModelAdmin of the broker's admin, one module per domain app; importing this package registers them
(Django's admin autodiscovery imports `console.admin`)."""
from console.admin import alerts, analytics, audit, bots, faq, leads, llm, locations  # noqa: F401
