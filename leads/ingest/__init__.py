"""GHL's webhooks in: receive (check, store), the fast path ahead of Django, the group commit that stores them,
and the dispatch that hands the stored events to the bots' worker (bots.tasks.handle_webhook_events)."""
