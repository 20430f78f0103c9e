"""The bots' deterministic workflows: each turns (state, understanding) into a decision."""
