"""The base of the errors our clients of other systems raise (leads.ghl.errors, bots.llm.errors): a reason, the
keyword fields each system adds, whether the same call can succeed later (`retryable`), and a message that names
ids and statuses only, never a token, a phone number or a text (these strings reach logs and the admin)."""
from __future__ import annotations

from functools import partial
from typing import Any, ClassVar


class ServiceError(Exception):
    retryable: bool = False
    # The keyword-only fields a subclass's __init__ sets, in the order its message shows them. Celery pickles a
    # task's exception to hand it across processes, and the default `cls(*args)` would drop them.
    keyword_fields: ClassVar[tuple[str, ...]] = ()
    # Fields named in the headline, not repeated after it.
    headline_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)

    def __reduce__(self) -> tuple[Any, ...]:
        rebuild = partial(type(self), **{name: getattr(self, name) for name in self.keyword_fields})
        return (rebuild, (self.reason,))

    def headline(self) -> str:
        return self.reason

    def __str__(self) -> str:
        # Built on demand: a client may fill in `retry_after` when it gives up on a call.
        parts = [self.headline()]
        for name in self.keyword_fields:
            value = getattr(self, name)
            if name in self.headline_fields or value is None or value is False or value == "":
                continue
            if value is True:
                parts.append(name)
            elif name == "retry_after":
                parts.append(f"retry_after={value:.2f}s")
            else:
                parts.append(f"{name}={value}")
        return " ".join(parts)
