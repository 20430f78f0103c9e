"""Anthropic's list prices, in one table, and the cost of one call from its recorded usage.

Prices are USD per million tokens from Anthropic's pricing page (platform.claude.com/docs/en/about-claude/pricing)
for the models we use; cache writes are the 5-minute kind (1.25x input), cache reads 0.1x input. The Message
Batches API halves every one of them. Update this table when Anthropic changes a price.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal

logger = logging.getLogger(__name__)

MILLION = Decimal(1_000_000)
BATCH_DISCOUNT = Decimal("0.5")


@dataclass(frozen=True)
class Price:
    input: Decimal
    output: Decimal
    cache_write: Decimal
    cache_read: Decimal


def _price(input_usd: str, output_usd: str) -> Price:
    base = Decimal(input_usd)
    return Price(base, Decimal(output_usd), base * Decimal("1.25"), base * Decimal("0.1"))


PRICES: dict[str, Price] = {
    "claude-haiku-4-5": _price("1", "5"),
    "claude-sonnet-4-5": _price("3", "15"),
    "claude-sonnet-4-6": _price("3", "15"),
    "claude-opus-4-5": _price("5", "25"),
    "claude-opus-4-6": _price("5", "25"),
}
# A model missing from the table is priced as the dearest one, so a spend limit errs on the safe side.
UNKNOWN_MODEL_PRICE = max(PRICES.values(), key=lambda price: price.output)

_SNAPSHOT_DATE = re.compile(r"-\d{8}$")


@dataclass(frozen=True)
class Usage:
    """Tokens of one call as Anthropic reports them; `input_tokens` excludes the cached ones."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


def price_of(model: str) -> Price:
    # "claude-haiku-4-5-20251001" is a dated snapshot of "claude-haiku-4-5", at the same price.
    price = PRICES.get(_SNAPSHOT_DATE.sub("", model))
    if price is None:
        logger.warning("no list price for model=%s; priced as the dearest known model", model)
        return UNKNOWN_MODEL_PRICE
    return price


def cost_of(model: str, usage: Usage, *, batch: bool = False) -> Decimal:
    price = price_of(model)
    cost = (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_write_tokens * price.cache_write
        + usage.cache_read_tokens * price.cache_read
    ) / MILLION
    return cost * BATCH_DISCOUNT if batch else cost
