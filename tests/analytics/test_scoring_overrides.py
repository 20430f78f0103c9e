"""A broker's own score sticks through every nightly rescoring until someone clears it."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from analytics import populations
from analytics.models import LeadScore, ScoreOverride, ScoreSource
from analytics.selectors import score_history
from analytics.services import clear_score_override, override_score, rescore_open_leads
from leads.models import Contact, Location
from tests.analytics.seeding import NOW, LeadSpec, exchange, seed_leads

COLD_SELLER = LeadSpec(state={"seller": {"motivation": "relocation"}}, texts=exchange(NOW - dt.timedelta(days=1), [3]))


def test_an_override_survives_a_rescore_and_clearing_it_restores_the_computed_score(
    alpha_realty: Location, alpha_broker: Any
) -> None:
    # given a cold lead the prior scored, that the broker knows better
    [lead] = seed_leads(alpha_realty, [COLD_SELLER])
    rescore_open_leads(now=NOW)
    computed = LeadScore.objects.get(contact=lead).score
    override_score(lead, 92, "cash buyer for their next home, told me in person", alpha_broker)

    # when the nightly rescoring runs
    report = rescore_open_leads(now=NOW)

    # then the broker's score stands, untouched
    lead.refresh_from_db()
    assert (lead.score, lead.temperature) == (92, "hot")
    assert report.leads == 0
    newest = lead.score_history.first()
    assert newest.source == ScoreSource.OVERRIDE
    assert newest.reasons == ["set by alice: cash buyer for their next home, told me in person"]

    # and clearing it brings the computed score back, which the next night keeps
    clear_score_override(lead)
    lead.refresh_from_db()
    assert lead.score == computed and lead.temperature == "cold"
    assert not ScoreOverride.objects.filter(contact=lead).exists()
    assert [row.source for row in score_history(lead)] == ["prior", "override", "prior"]
    assert rescore_open_leads(now=NOW).history_rows == 0


def test_an_override_committed_during_a_rescore_is_not_overwritten(
    alpha_realty: Location, alpha_broker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a run that read the lead just before the broker set a score
    [lead] = seed_leads(alpha_realty, [COLD_SELLER])
    read_before_the_override = populations.open_leads(without_override=True)
    override_score(lead, 88, "met them", alpha_broker)
    monkeypatch.setattr(populations, "open_leads", lambda *args, **kwargs: read_before_the_override)

    # when the run writes its scores
    rescore_open_leads(now=NOW)

    # then its write does not land on top of the broker's
    lead.refresh_from_db()
    assert lead.score == 88


def test_clearing_a_lead_never_scored_leaves_it_unscored(maria: Contact, alpha_broker: Any) -> None:
    override_score(maria, 70, "referral from a past client", alpha_broker)

    clear_score_override(maria)

    maria.refresh_from_db()
    assert maria.score is None


@pytest.mark.parametrize("score", [-1, 101])
def test_a_score_outside_0_to_100_is_refused(maria: Contact, alpha_broker: Any, score: int) -> None:
    with pytest.raises(ValueError):
        override_score(maria, score, "typo", alpha_broker)
    assert not ScoreOverride.objects.exists()
