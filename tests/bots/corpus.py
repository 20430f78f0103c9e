"""The conversation corpus's loader and checks live in bots.workflows.corpus (one runner for the tests and for
`manage.py evaluate_conversations`); this module is the tests' name for it."""
from bots.workflows.corpus import (
    CORPUS_DIR,
    Conversation,
    CorpusMismatch,
    TurnSeen,
    category_of,
    check_turn,
    check_voice,
    corpus_files,
    dig,
    load,
    run_conversation,
)

__all__ = [
    "CORPUS_DIR", "Conversation", "CorpusMismatch", "TurnSeen", "category_of", "check_turn", "check_voice",
    "corpus_files", "dig", "load", "run_conversation",
]
