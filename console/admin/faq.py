"""The broker's FAQ in the admin: the answers the bots give leads who ask (per location and language), and the
questions leads asked that nothing answered yet, most asked first, each with a one click "Add an answer".

Registered with the other admins by console/admin/__init__.py.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from bots.faq import answer_question
from bots.models import FaqEntry, UnansweredQuestion
from bots.nlu.types import QuestionKind
from console.admin.base import LocationScopedAdmin, ScopedLocationFilter

KIND_LABELS = {
    QuestionKind.FEES: "Fees and commission", QuestionKind.VALUE: "What the home is worth",
    QuestionKind.PREAPPROVAL: "Pre-approval basics", QuestionKind.RATES: "Interest rates",
    QuestionKind.SCHOOLS: "Schools", QuestionKind.FAST_SALE: "A quick or cash sale",
    QuestionKind.NEXT_STEPS: "What happens next", QuestionKind.PROCESS: "How the team works",
    QuestionKind.HOW_REACHED: "How we reached the lead", QuestionKind.OTHER: "Other (by keywords)",
}
KIND_CHOICES = [(kind.value, label) for kind, label in KIND_LABELS.items()]
_LABEL_OF_KIND = dict(KIND_CHOICES)
# The query parameter that ties a new answer to the question it answers.
FROM_QUESTION = "from_question"


class FaqEntryForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=KIND_CHOICES, initial=QuestionKind.OTHER.value, label="Question kind")

    class Meta:
        model = FaqEntry
        fields = ("location", "kind", "keywords", "answer", "language")
        widgets = {"answer": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == QuestionKind.OTHER.value and not (data.get("keywords") or "").strip():
            self.add_error("keywords", 'An answer of kind "other" needs keywords to know which questions it answers.')
        return data


@admin.register(FaqEntry)
class FaqEntryAdmin(LocationScopedAdmin):
    form = FaqEntryForm
    brokers_only = True
    list_display = ("kind_label", "keywords", "answer", "language", "location", "updated_at")
    list_select_related = ("location",)
    list_filter = (ScopedLocationFilter, "kind", "language")
    search_fields = ("keywords", "answer")

    @admin.display(description="question kind", ordering="kind")
    def kind_label(self, obj: FaqEntry) -> str:
        return _LABEL_OF_KIND.get(obj.kind, obj.kind)

    def save_model(self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool) -> None:
        question = None if change else self._question_answered(request)
        if question is None:
            super().save_model(request, obj, form, change)
            return
        assert isinstance(obj, FaqEntry)
        saved = answer_question(question, obj.answer, obj.keywords)
        obj.pk = saved.pk

    def response_add(self, request: HttpRequest, obj: Model, post_url_continue: str | None = None) -> HttpResponse:
        if self._question_answered(request) is not None and "_continue" not in request.POST:
            self.message_user(request, "Answer saved: the next lead who asks gets it.")
            return HttpResponseRedirect(reverse("admin:bots_unansweredquestion_changelist"))
        return super().response_add(request, obj, post_url_continue)

    def _question_answered(self, request: HttpRequest) -> UnansweredQuestion | None:
        """The collected question this new answer comes from, when the broker came from its "Add an answer"."""
        question_id = request.GET.get(FROM_QUESTION, "")
        if not question_id.isdigit():
            return None
        scoped = self.scope(request).filter(UnansweredQuestion.objects.all(), "location")
        return scoped.filter(pk=int(question_id)).first()


class AnsweredFilter(admin.SimpleListFilter):
    """Open questions by default: the ones that still need the broker."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Not answered"), ("answered", "Answered"), ("all", "All")]

    def choices(self, changelist: Any) -> Any:
        for choice in super().choices(changelist):
            if choice.get("display") == "All" and choice.get("query_string", "").endswith("?"):
                continue
            yield choice

    def value(self) -> str:
        return super().value() or "open"

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "open":
            return queryset.filter(answered_by__isnull=True)
        if self.value() == "answered":
            return queryset.filter(answered_by__isnull=False)
        return queryset


@admin.register(UnansweredQuestion)
class UnansweredQuestionAdmin(LocationScopedAdmin):
    list_display = ("question", "times_asked", "last_asked_at", "language", "location", "add_answer")
    list_select_related = ("location",)
    list_filter = (AnsweredFilter, ScopedLocationFilter, "language")
    ordering = ("-times_asked", "-last_asked_at")
    search_fields = ("question",)
    readonly_fields = ("question", "kind", "words", "language", "times_asked", "first_asked_at", "last_asked_at",
                       "answered_by", "location")
    members_may_add = False

    @admin.display(description="answer")
    def add_answer(self, obj: UnansweredQuestion) -> str:
        if obj.answered_by_id is not None:
            url = reverse("admin:bots_faqentry_change", args=[obj.answered_by_id])
            return format_html('<a href="{}">Answered</a>', url)
        query = urlencode({"location": obj.location_id, "kind": obj.kind, "keywords": obj.words,
                           "language": obj.language, FROM_QUESTION: obj.pk})
        return format_html('<a class="button" href="{}?{}">Add an answer</a>', reverse("admin:bots_faqentry_add"),
                           query)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
