"""`manage.py evaluate_conversations`: the corpus played through the bots, the pass rate per category, a RESULT line,
and nothing left behind in the database."""
from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from leads.models import Location, Property

PASSING = """title: a seller asked for the address
tags: [Needs Qualifying]
turns:
  - lead: I want to sell my house
    asks: property_address
"""
FAILING = """title: a seller wrongly expected to be asked the price first
tags: [Needs Qualifying]
turns:
  - lead: I want to sell my house
    asks: price_expectation
"""


def test_it_prints_the_pass_rate_per_category_and_a_result_line(db: None, tmp_path: Path) -> None:
    # given a corpus of two sellers (one whose file expects the wrong question) and one buyer
    (tmp_path / "seller_asked_for_the_address.yaml").write_text(PASSING)
    (tmp_path / "seller_expects_the_wrong_question.yaml").write_text(FAILING)
    (tmp_path / "buyer_asked_for_the_area.yaml").write_text(
        "title: a buyer\ntags: [Buyer-Lead]\nturns:\n  - lead: looking to buy\n    asks: area\n")
    out = StringIO()

    # when it runs
    call_command("evaluate_conversations", "--corpus", str(tmp_path), "--verbose", stdout=out)

    # then each category has its rate, the failure says why, and the last line sums it up
    lines = out.getvalue().strip().splitlines()
    assert any(line.split()[:2] == ["seller", "1/2"] for line in lines), lines
    assert any(line.split()[:2] == ["buyer", "1/1"] for line in lines), lines
    assert any("seller_expects_the_wrong_question.yaml" in line and "asks 'property_address'" in line
               for line in lines), lines
    assert lines[-1] == "RESULT conversations=3 passed=2 failed=1 pass_rate=66.7 categories=2"
    # and the practice location and its listings were rolled back
    assert not Location.objects.exists()
    assert not Property.objects.exists()


def test_the_whole_corpus_passes(db: None) -> None:
    out = StringIO()
    call_command("evaluate_conversations", stdout=out)
    result = out.getvalue().strip().splitlines()[-1]
    assert result.startswith("RESULT ") and " failed=0 " in result, result
