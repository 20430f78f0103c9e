"""A location's bot settings as a form (replacing the raw JSON): every value checked before it is kept, the texts
with a preview, and the Claude spend limit for superusers only. `save_bot_settings` is the one way to change them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from analytics import config as analytics_config
from audit.services import Actor
from bots.config import (
    DEFAULT_FIELDS,
    DEFAULT_TAGS,
    MODES,
    SPEND_LIMIT_KEY,
    BotConfig,
    SettingsProblem,
    settings_problems,
)
from bots.texts import DEFAULT_TEXTS, OVERRIDABLE_TEXT_KEYS, preview
from console import audit_trail
from console.settings_trial import try_settings
from leads.access import scope_of
from leads.models import Location

_DEFAULTS: dict[str, Any] = {
    name: getattr(BotConfig(), name) for name in BotConfig.__dataclass_fields__ if name not in ("tags", "texts",
                                                                                                  "fields")
}
# The form's sections, in the broker's words: (title, settings). Every number BotConfig has is here.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Who the bots speak for, and how they send", ("agent_name", "mode", "lead_bot_mode", "seller_bot_mode",
                                                     "buyer_bot_mode")),
    ("Quiet hours and caps", ("sending_window_start_hour", "sending_window_end_hour", "early_end_states",
                              "early_end_hour", "reply_window_minutes", "daily_message_cap", "human_takeover_hours",
                              "max_reply_chars")),
    ("Lead scores and qualifying", ("hot_lead_score", "warm_lead_score", "buyer_hot_within_days",
                                    "stalls_before_unknown", "vague_turns_before_exhausted")),
    ("Listings matched for buyers", ("match_price_tolerance", "max_matches")),
    ("Handoffs between bots", ("lead_handoff_intent", "buyer_to_seller_intent", "seller_to_buyer_intent",
                               "handoff_back_after_minutes", "max_handoffs_per_hour", "max_handoffs_per_day")),
    ("Booking a call", ("slots_offered", "booking_window_days", "booking_notice_minutes",
                        "unreadable_picks_before_manual")),
    ("Follow-ups", ("seller_follow_up_days", "seller_long_term_every_days", "seller_long_term_attempts",
                    "seller_silence_stop_days", "lead_follow_up_days", "follow_up_min_gap_hours")),
)
LABELS: dict[str, str] = {
    "agent_name": "Agent's name", "mode": "Mode of every bot", "lead_bot_mode": "Lead bot",
    "seller_bot_mode": "Seller bot", "buyer_bot_mode": "Buyer bot",
    "sending_window_start_hour": "First hour texts may go out", "sending_window_end_hour": "Texts stop at (hour)",
    "early_end_states": "States whose law stops texts earlier", "early_end_hour": "Texts stop in those states at",
    "reply_window_minutes": "A text within this many minutes of the lead's is a reply (minutes)",
    "daily_message_cap": "Texts per lead per day, at most", "human_takeover_hours":
    "Bot pauses after a person texts from GHL (hours)", "max_reply_chars": "Longest reply (characters)",
    "hot_lead_score": "Hot lead from score", "warm_lead_score": "Warm lead from score",
    "buyer_hot_within_days": "Buyer is hot when moving within (days)",
    "seller_follow_up_days": "Seller follow-ups (days from the start)",
    "lead_follow_up_days": "Lead follow-ups (days of silence, the last one final)",
}
HELP: dict[str, str] = {
    "agent_name": "Used wherever a text says {agent}.",
    "sending_window_start_hour": "At the lead's location. TCPA allows 8 to 21; you may only narrow it.",
    "early_end_states": "Two letter codes separated by commas; FL, OK and WA must stay.",
    "daily_message_cap": "At most 25.",
    "seller_follow_up_days": "Whole days separated by commas, going up.",
    "lead_follow_up_days": "Whole days separated by commas, going up.",
}
_MODE_CHOICES = [(mode, mode) for mode in MODES]
_BOT_MODE_CHOICES = [("", "the location's mode"), *_MODE_CHOICES]
_STAGE_LINE_HELP = "One stage per line: GHL stage id = chance from 0 to 1, e.g. 5f1c... = 0.9"


class InvalidBotSettings(Exception):
    """Final: these settings cannot be kept as they are; `problems` says why, per setting."""

    def __init__(self, problems: list[SettingsProblem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


def location_settings_problems(overrides: Any) -> list[SettingsProblem]:
    """Everything wrong with a whole `Location.bot_settings`: the bots' settings and the analytics' beside them."""
    problems = settings_problems(overrides, other_keys=analytics_config.SETTING_KEYS)
    if isinstance(overrides, dict):
        problems += analytics_config.settings_problems(overrides)
    return problems


def save_bot_settings(
    location_id: str, overrides: dict[str, Any], *, may_set_spend_limit: bool, by: Actor
) -> Location:
    """Keep a location's new settings, checked whole; raises InvalidBotSettings and keeps nothing when any is wrong.

    Without `may_set_spend_limit` the stored spend limit stays as it is, whatever `overrides` says. The row is
    locked so a superuser's change of the limit made meanwhile is not overwritten by a broker's older copy. What
    changed goes on the audit trail, setting by setting, attributed to `by`."""
    with transaction.atomic():
        location = Location.objects.select_for_update().get(pk=location_id)
        audit_trail.remember_stored_values(location)
        overrides = dict(overrides)
        if not may_set_spend_limit:
            overrides.pop(SPEND_LIMIT_KEY, None)
            if isinstance(location.bot_settings, dict) and SPEND_LIMIT_KEY in location.bot_settings:
                overrides[SPEND_LIMIT_KEY] = location.bot_settings[SPEND_LIMIT_KEY]
        problems = location_settings_problems(overrides)
        if problems:
            raise InvalidBotSettings(problems)
        location.bot_settings = overrides
        location.save(update_fields=["bot_settings", "updated_at"])
        audit_trail.record_save(by, location, added=False, location_id=location.pk)
    return location


# -- the form ---------------------------------------------------------------------------------------------------


class ListField(forms.Field):
    """A list typed as text, separated by commas: each entry an item (never each letter)."""

    def __init__(self, *, whole_days: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.whole_days = whole_days

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(str(item) for item in value) if isinstance(value, list | tuple) else value

    def to_python(self, value: Any) -> list[Any] | None:
        text = str(value or "").strip()
        if not text:
            return None
        items = [item.strip() for item in text.replace(";", ",").split(",") if item.strip()]
        if not self.whole_days:
            return [item.upper() for item in items]
        if not all(item.isdigit() for item in items):
            raise forms.ValidationError("Whole days separated by commas, like 3, 7, 14.")
        return [int(item) for item in items]


def _setting_field(name: str, default: Any) -> forms.Field:
    options: dict[str, Any] = {"required": False, "label": LABELS.get(name, name.replace("_", " ").capitalize()),
                               "help_text": HELP.get(name, "")}
    if name == "mode":
        return forms.ChoiceField(choices=_MODE_CHOICES, **options)
    if name.endswith("_mode"):
        return forms.ChoiceField(choices=_BOT_MODE_CHOICES, **options)
    if isinstance(default, tuple):
        return ListField(whole_days=name != "early_end_states", **options)
    if isinstance(default, str):
        return forms.CharField(max_length=200, **options)
    if isinstance(default, int):
        return forms.IntegerField(**options)
    return forms.FloatField(**options)


class BotSettingsForm(forms.Form):
    """Every setting of one location, shown with its effective value; left empty, a setting takes the default.
    The spend limit is a field only for a superuser: anyone else's form has none, so a posted one is ignored."""

    commission_rate = forms.FloatField(required=False, label="Commission rate (share of the price)",
                                       help_text="0.025 is 2.5 %.")
    deal_days_to_close = forms.IntegerField(required=False, label="Days from a deal to closing (until measured)")
    deal_stage_probabilities = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                               label="Chance of closing per GHL pipeline stage",
                                               help_text=_STAGE_LINE_HELP)

    def __init__(self, *args: Any, stored: dict[str, Any], may_set_spend_limit: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored = stored
        for _, names in SECTIONS:
            for name in names:
                self.fields[name] = _setting_field(name, _DEFAULTS[name])
                self.initial[name] = stored.get(name, _default_of(name))
        for kind, defaults in (("tags", DEFAULT_TAGS), ("fields", DEFAULT_FIELDS)):
            for key, default in defaults.items():
                self.fields[f"{kind}__{key}"] = forms.CharField(required=False, label=key, max_length=200)
                self.initial[f"{kind}__{key}"] = _stored_names(stored, kind).get(key, default)
        self.initial["commission_rate"] = stored.get("commission_rate", analytics_config.DEFAULT_COMMISSION_RATE)
        self.initial["deal_days_to_close"] = stored.get("deal_days_to_close", analytics_config.DEFAULT_DAYS_TO_CLOSE)
        stages = stored.get("deal_stage_probabilities", {})
        self.initial["deal_stage_probabilities"] = "\n".join(f"{stage} = {chance}" for stage, chance in
                                                             stages.items()) if isinstance(stages, dict) else ""
        if may_set_spend_limit:
            self.fields[SPEND_LIMIT_KEY] = forms.DecimalField(
                required=False, min_value=0, decimal_places=2, label="Claude spend limit per day (USD)",
                help_text=f"Empty: the install's {settings.JORGEBOT_LLM_DAILY_SPEND_LIMIT_USD} USD. Superusers only.")
            self.initial[SPEND_LIMIT_KEY] = stored.get(SPEND_LIMIT_KEY)

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        shown = [(title, [self[name] for name in names]) for title, names in SECTIONS]
        shown.append(("Deals", [self["commission_rate"], self["deal_days_to_close"],
                                self["deal_stage_probabilities"]]))
        if SPEND_LIMIT_KEY in self.fields:
            shown.append(("Claude", [self[SPEND_LIMIT_KEY]]))
        return shown

    @property
    def tag_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("tags__")]

    @property
    def field_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("fields__")]

    def clean_deal_stage_probabilities(self) -> dict[str, float]:
        stages: dict[str, float] = {}
        for line in self.cleaned_data["deal_stage_probabilities"].splitlines():
            if not line.strip():
                continue
            stage, equals, chance = line.partition("=")
            try:
                stages[stage.strip()] = float(chance)
            except ValueError:
                raise forms.ValidationError(f"{line.strip()!r}: {_STAGE_LINE_HELP}") from None
            if not equals or not stage.strip():
                raise forms.ValidationError(f"{line.strip()!r}: {_STAGE_LINE_HELP}")
        return stages

    def overrides(self, texts: dict[str, list[str]]) -> dict[str, Any]:
        """The settings as they would be kept: only what differs from the defaults (and the spend limit, kept by
        `save_bot_settings` for whoever has no field for it)."""
        data = self.cleaned_data
        kept: dict[str, Any] = {}
        for _, names in SECTIONS:
            for name in names:
                value = data.get(name)
                value = tuple(value) if isinstance(value, list) else value
                if value not in (None, "") and value != _default_of(name):
                    kept[name] = list(value) if isinstance(value, tuple) else value
        for kind, defaults in (("tags", DEFAULT_TAGS), ("fields", DEFAULT_FIELDS)):
            typed = {key: data[f"{kind}__{key}"].strip() for key in defaults if data.get(f"{kind}__{key}", "").strip()}
            changed = {key: name for key, name in typed.items() if name != defaults[key]}
            if changed:
                kept[kind] = changed
        if texts:
            kept["texts"] = texts
        for name, default in (("commission_rate", analytics_config.DEFAULT_COMMISSION_RATE),
                              ("deal_days_to_close", analytics_config.DEFAULT_DAYS_TO_CLOSE)):
            if data.get(name) is not None and data[name] != default:
                kept[name] = data[name]
        if data.get("deal_stage_probabilities"):
            kept["deal_stage_probabilities"] = data["deal_stage_probabilities"]
        if SPEND_LIMIT_KEY in self.fields and data.get(SPEND_LIMIT_KEY) is not None:
            kept[SPEND_LIMIT_KEY] = float(data[SPEND_LIMIT_KEY])
        return kept

    def show_problems(self, problems: list[SettingsProblem], texts: BaseTextsFormSet) -> None:
        """Each problem beside its field; one about a text beside that text's row."""
        for problem in problems:
            name = problem.setting.split(" ", 1)[0].replace("tags.", "tags__").replace("fields.", "fields__")
            name = "deal_stage_probabilities" if name.startswith("deal_stage_probabilities") else name
            if name.startswith("texts.") and texts.add_problem(name.removeprefix("texts."), problem):
                continue
            if name in self.fields:
                self.add_error(name, problem.message)
            else:
                self.add_error(None, str(problem))


_SHOWN_KEYS = frozenset({*_DEFAULTS, "tags", "fields", "texts", SPEND_LIMIT_KEY, *analytics_config.SETTING_KEYS})


def unread_settings(stored: dict[str, Any]) -> list[str]:
    """Stored settings no bot reads (typed into the old JSON box): shown on the page, dropped by the next save."""
    unread = [f"{key} = {value!r}" for key, value in stored.items() if key not in _SHOWN_KEYS]
    for kind, known in (("tags", DEFAULT_TAGS), ("fields", DEFAULT_FIELDS), ("texts", OVERRIDABLE_TEXT_KEYS)):
        names = stored.get(kind)
        if isinstance(names, dict):
            unread += [f"{kind}.{key} = {value!r}" for key, value in names.items() if key not in known]
        elif names is not None:
            unread.append(f"{kind} = {names!r}")
    return unread


def _default_of(name: str) -> Any:
    # The install's pause after a person texts (JORGEBOT_HUMAN_TAKEOVER_HOURS) is the default a location overrides.
    if name == "human_takeover_hours":
        return float(settings.JORGEBOT_HUMAN_TAKEOVER_HOURS)
    return _DEFAULTS[name]


def _stored_names(stored: dict[str, Any], kind: str) -> dict[str, Any]:
    names = stored.get(kind)
    return names if isinstance(names, dict) else {}


def _text_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    english = sorted(key for key in OVERRIDABLE_TEXT_KEYS if not key.endswith("_es"))
    spanish = sorted(key for key in OVERRIDABLE_TEXT_KEYS if key.endswith("_es"))
    return [("", [("", "pick a text")]), ("English", [(key, key) for key in english]),
            ("Spanish", [(key, key) for key in spanish])]


class TextOverrideForm(forms.Form):
    """One text in the location's own words: which text, and its variants, one a line (the bots rotate them)."""

    key = forms.ChoiceField(choices=_text_choices, required=False, label="Text")
    variants = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
                               label="Variants, one a line", strip=False)

    def variant_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("variants", "").splitlines() if line.strip()]


class BaseTextsFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        seen: set[str] = set()
        for form in self.forms:
            key = form.cleaned_data.get("key") if form.is_valid() else None
            if not key:
                if form.is_valid() and form.variant_list():
                    form.add_error("key", "Pick which text these variants replace.")
                continue
            if key in seen:
                form.add_error("key", "This text is already overridden above.")
            seen.add(key)

    def texts(self) -> dict[str, list[str]]:
        return {form.cleaned_data["key"]: form.variant_list() for form in self.forms
                if form.is_valid() and form.cleaned_data.get("key") and not form.cleaned_data.get("DELETE")}

    def add_problem(self, key: str, problem: SettingsProblem) -> bool:
        for form in self.forms:
            if form.is_valid() and form.cleaned_data.get("key") == key:
                which = problem.setting.removeprefix(f"texts.{key}").strip().capitalize()
                form.add_error("variants", f"{which}: {problem.message}" if which else problem.message)
                return True
        return False


TextsFormSet = forms.formset_factory(TextOverrideForm, formset=BaseTextsFormSet, extra=1, can_delete=True)


def texts_formset(data: Any, stored: dict[str, Any]) -> BaseTextsFormSet:
    texts = stored.get("texts", {})
    rows = [{"key": key, "variants": "\n".join(variants if isinstance(variants, list) else [str(variants)])}
            for key, variants in texts.items()] if isinstance(texts, dict) else []
    return cast(BaseTextsFormSet, TextsFormSet(data, initial=rows, prefix="texts"))


@dataclass(frozen=True)
class TextPreview:
    """One overridden text as leads would read it, beside the default it replaces."""

    key: str
    previews: list[str]
    defaults: list[str]


def text_previews(texts: dict[str, list[str]], agent_name: str) -> list[TextPreview]:
    shown = []
    for key, variants in texts.items():
        default_key = key if key in DEFAULT_TEXTS else key.removesuffix("_es")
        shown.append(TextPreview(key, [_preview_or_problem(key, variant, agent_name) for variant in variants],
                                 [_preview_or_problem(key, text, agent_name) for text in DEFAULT_TEXTS[default_key]]))
    return shown


def _preview_or_problem(key: str, variant: str, agent_name: str) -> str:
    try:
        return preview(key, variant, agent_name)
    except (ValueError, KeyError, IndexError, AttributeError):
        return "(cannot be filled in: see the error above)"


# -- the page -----------------------------------------------------------------------------------------------------

_ACTIONS = ("preview", "try", "save")


def bot_settings_page(admin_site: AdminSite, request: HttpRequest, location_id: str) -> HttpResponse:
    """A location's settings for its brokers (and superusers): preview the texts, try the settings on the
    conversation corpus, or save them. Only "save" keeps anything, and only settings that pass every check."""
    location = get_object_or_404(scope_of(request.user).filter_for_brokers(Location.objects.all(), ""),
                                 pk=location_id)
    may_set_spend_limit = request.user.is_superuser
    stored = location.bot_settings if isinstance(location.bot_settings, dict) else {}
    data = request.POST if request.method == "POST" else None
    form = BotSettingsForm(data, stored=stored, may_set_spend_limit=may_set_spend_limit)
    texts = texts_formset(data, stored)
    action = request.POST.get("action", "preview") if data is not None else ""
    trial = None
    if data is not None and action in _ACTIONS and _all_valid(form, texts):
        proposed = form.overrides(texts.texts())
        if not may_set_spend_limit and SPEND_LIMIT_KEY in stored:
            proposed[SPEND_LIMIT_KEY] = stored[SPEND_LIMIT_KEY]
        problems = location_settings_problems(proposed)
        if problems:
            form.show_problems(problems, texts)
        elif action == "save":
            try:
                save_bot_settings(location.pk, proposed, may_set_spend_limit=may_set_spend_limit,
                                  by=audit_trail.admin_actor(request))
            except InvalidBotSettings as invalid:
                form.show_problems(invalid.problems, texts)
            else:
                messages.success(request, f"Bot settings of {location} saved: the next turn uses them.")
                return HttpResponseRedirect(reverse("admin:leads_location_change", args=[location.pk]))
        elif action == "try":
            trial = try_settings(stored, proposed)
    if data is not None and (form.errors or texts.total_error_count()):
        messages.error(request, "Nothing was saved: fix the settings marked below.")
    shown_texts = texts.texts() if data is not None and texts.is_valid() else _stored_texts(stored)
    agent_name = form.cleaned_data.get("agent_name") if form.is_bound and form.is_valid() else None
    context = {
        **admin_site.each_context(request), "title": f"Bot settings of {location}", "location": location,
        "opts": Location._meta, "form": form, "texts": texts, "trial": trial,
        "previews": text_previews(shown_texts, agent_name or stored.get("agent_name") or _DEFAULTS["agent_name"]),
        "unread": unread_settings(stored), "text_defaults": DEFAULT_TEXTS,
        "faq_url": f"{reverse('admin:bots_faqentry_changelist')}?location={location.pk}",
    }
    return TemplateResponse(request, "admin/leads/location/bot_settings.html", context)


def _all_valid(form: BotSettingsForm, texts: BaseTextsFormSet) -> bool:
    form_valid = form.is_valid()
    return texts.is_valid() and form_valid


def _stored_texts(stored: dict[str, Any]) -> dict[str, list[str]]:
    texts = stored.get("texts")
    if not isinstance(texts, dict):
        return {}
    return {key: [str(variant) for variant in (variants if isinstance(variants, list) else [variants])]
            for key, variants in texts.items() if key in OVERRIDABLE_TEXT_KEYS}
