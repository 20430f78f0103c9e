"""Commission forecasts: weighted pipeline plus the trend of closed commission, with intervals, the four nested
categories, and the trend model's back-tested error stored beside them."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from analytics.forecasting import forecast_months, unseen_share
from analytics.models import ForecastMethod, RevenueForecast
from analytics.services import forecast_revenue
from leads.models import Contact, Deal, Location
from tests.analytics.seeding import NOW

THIS_MONTH = pd.Timestamp("2026-11-01")
MONTHS = [THIS_MONTH, pd.Timestamp("2026-12-01"), pd.Timestamp("2027-01-01")]


def open_deals(*deals: tuple[float, float, pd.Timestamp]) -> pd.DataFrame:
    return pd.DataFrame(deals, columns=["commission", "probability", "month"])


def test_the_categories_nest_and_the_expectation_weighs_each_deal_by_its_chance() -> None:
    deals = open_deals((10_000, 0.9, THIS_MONTH), (5_000, 0.6, THIS_MONTH), (8_000, 0.2, THIS_MONTH),
                       (4_000, 0.5, MONTHS[1]))

    this_month, next_month, _ = forecast_months(deals, pd.Series(dtype=float), 3_000.0, np.zeros(3), MONTHS)

    assert (this_month.closed, this_month.commit, this_month.best_case, this_month.pipeline) == (
        3_000, 13_000, 18_000, 26_000,
    )
    assert this_month.expected == pytest.approx(3_000 + 9_000 + 3_000 + 1_600)
    assert this_month.closed <= this_month.low < this_month.expected < this_month.high
    assert (next_month.closed, next_month.commit, next_month.best_case, next_month.pipeline) == (0, 0, 4_000, 4_000)
    assert next_month.expected == pytest.approx(2_000)
    assert this_month.method == ForecastMethod.PIPELINE_ONLY and this_month.backtest_wmape is None


def test_a_certain_pipeline_has_no_spread() -> None:
    [month] = forecast_months(open_deals((10_000, 1.0, THIS_MONTH)), pd.Series(dtype=float), 0.0, np.zeros(1),
                              [THIS_MONTH])

    assert month.low == month.expected == month.high == 10_000


def test_with_a_year_of_closings_the_trend_adds_business_not_yet_in_the_pipeline_and_is_back_tested() -> None:
    rng = np.random.default_rng(0)
    history = pd.Series(20_000 + 3_000 * rng.standard_normal(24),
                        index=pd.date_range("2024-11-01", periods=24, freq="MS"))

    forecasts = forecast_months(open_deals(), history, 0.0, np.array([0.2, 0.5, 0.8]), MONTHS)

    assert [f.method for f in forecasts] == [ForecastMethod.PIPELINE_AND_TREND] * 3
    assert forecasts[0].trend_model.startswith("ETS(")
    # further out, more of the month is business nobody has opened yet
    assert 0 < forecasts[0].expected < forecasts[1].expected < forecasts[2].expected
    assert all(f.low < f.expected < f.high for f in forecasts)
    assert forecasts[0].backtest_wmape is not None and 0 < forecasts[0].backtest_wmape < 50
    assert forecasts[0].backtest_pairs == 15


def test_the_unseen_share_counts_deals_opened_late_and_what_is_left_of_this_month() -> None:
    lags = np.array([0, 1, 1, 2, 5])
    commission = np.array([10.0, 10.0, 10.0, 10.0, 60.0])

    assert unseen_share(lags, commission, 3, month_left=0.5).tolist() == pytest.approx([0.05, 0.3, 0.4])
    assert unseen_share(lags, np.zeros(5), 3, month_left=1.0).tolist() == [0, 0, 0]


def _deal(location: Location, contact: Contact, name: str, **fields: object) -> Deal:
    return Deal.objects.create(location=location, contact=contact, ghl_id=name, pipeline_id="Sellers", **fields)


def test_the_nightly_forecast_uses_the_locations_commission_rate_and_stage_chances(alpha_realty: Location) -> None:
    # given a location paid 3 %, a stage it trusts at 90 %, fourteen months of closings and three open deals
    alpha_realty.bot_settings = {"commission_rate": 0.03, "deal_stage_probabilities": {"UnderContract": 0.9}}
    alpha_realty.save()
    lead = Contact.objects.create(location=alpha_realty, ghl_id="Lead1", score=40)
    for months_ago in range(1, 15):
        closed = NOW - pd.DateOffset(months=months_ago)
        for n in range(2):
            _deal(alpha_realty, lead, f"Won{months_ago}-{n}", status="won", value=Decimal("500000"),
                  opened_at=closed - dt.timedelta(days=45), closed_at=closed)
    _deal(alpha_realty, lead, "WonThisMonth", status="won", value=Decimal("400000"),
          opened_at=NOW - dt.timedelta(days=40), closed_at=NOW - dt.timedelta(days=5))
    _deal(alpha_realty, lead, "Contract", status="open", value=Decimal("600000"), pipeline_stage_id="UnderContract",
          expected_close=dt.date(2026, 11, 28))
    _deal(alpha_realty, lead, "Listing", status="open", value=Decimal("300000"), expected_close=dt.date(2026, 12, 15))
    _deal(alpha_realty, lead, "Lost", status="lost", value=Decimal("900000"), closed_at=NOW - dt.timedelta(days=2))

    # when
    written = forecast_revenue(now=NOW)

    # then
    november, december, january = RevenueForecast.objects.filter(location=alpha_realty).order_by("month")
    assert written == 3 and november.month == dt.date(2026, 11, 1) and january.month == dt.date(2027, 1, 1)
    assert november.closed == Decimal("12000.00")
    assert november.commit == Decimal("30000.00") and november.pipeline == Decimal("30000.00")
    assert december.best_case == Decimal("0.00") and december.pipeline == Decimal("9000.00")
    # the lead's score (40) is the listing's chance, weighted into December's expectation
    assert december.expected > Decimal("3600")
    assert november.low <= november.expected <= november.high
    assert november.method == ForecastMethod.PIPELINE_AND_TREND and november.history_months == 14
    assert november.backtest_wmape is not None and november.backtest_pairs == 3
