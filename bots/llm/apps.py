from django.apps import AppConfig
from django.conf import settings


class LLMConfig(AppConfig):
    name = "bots.llm"
    label = "llm"
    verbose_name = "Claude"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        if settings.ANTHROPIC_API_KEY:
            # The SDK takes seconds to import: pay that while the process starts, not in a lead's first reply.
            from bots.llm.client import load_sdk

            load_sdk()
