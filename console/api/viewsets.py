"""The REST API's viewsets, NetBox style: each declares its queryset, serializer and filters on `ScopedViewSet`,
which limits every query to the caller's locations. Nothing here can forget the scope: a lead of another
location is a 404, exactly like a lead that does not exist.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, ClassVar

from django.db import IntegrityError, transaction
from django.db.models import F, Model, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import SearchFilter
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from analytics import services as analytics
from analytics.models import ChurnPrediction, LeadScore, RevenueForecast
from audit.models import AuditAction
from audit.services import record_action
from bots import drafts
from bots.models import Draft
from console import audit_trail, broker_actions
from console.api import filters, serializers
from console.api.permissions import BrokersWrite, IsLocationMember
from leads.access import location_id_of, scope_of
from leads.models import Contact, Conversation, Location, Message, Property


class NewestFirst(CursorPagination):
    """Cursor pages: stable while new rows arrive, and no COUNT(*) over a hundred thousand leads."""

    ordering: tuple[str, ...] = ("-updated_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class NewestIdFirst(NewestFirst):
    ordering = ("-id",)


class NewestCreatedFirst(NewestFirst):
    ordering = ("-created_at", "-id")


class NewestComputedFirst(NewestFirst):
    ordering = ("-computed_at", "-id")


class MostLikelyFirst(NewestFirst):
    ordering = ("-probability", "-id")


class LatestMonthFirst(NewestFirst):
    ordering = ("-month", "-id")


# Sent with every API answer: it carries leads' personal data, so no cache keeps it and no page frames it.
API_HEADERS = {
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


class QueryFilterBackend(DjangoFilterBackend):
    """django-filter, skipped when the query names none of the filters.

    Building the filter set (a deep copy of every filter and a bound form with labels) cost about a fifth of the
    CPU of an unfiltered page of leads, to filter nothing. A filter's query parameters start with its name
    (`score_min`; a range filter's `created_after`).
    """

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: APIView) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not any(
            parameter.startswith(name) for parameter in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class ScopedViewSet(GenericViewSet):
    """The base of every API viewset: the caller's locations only, members only, cursor pages, filters; every
    create, update and delete goes on the audit trail with what changed.

    `location_field` is the path from the model to its Location ("" when the rows are locations).
    """

    location_field: ClassVar[str] = "location"
    permission_classes: Sequence[type[BasePermission]] = [IsLocationMember]
    filter_backends = [QueryFilterBackend, SearchFilter]
    pagination_class: type[BasePagination] | None = NewestFirst

    def get_queryset(self) -> QuerySet[Any]:
        return scope_of(self.request.user).filter(super().get_queryset(), self.location_field)

    def location_id_of(self, obj: Model) -> str | None:
        return location_id_of(obj, self.location_field)

    def get_object(self) -> Any:
        obj = super().get_object()
        audit_trail.remember_stored_values(obj)
        return obj

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        with transaction.atomic():
            saved = self.save(serializer)
            audit_trail.record_api_save(self.request, saved, added=True, location_id=self.location_id_of(saved))

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        with transaction.atomic():
            saved = self.save(serializer)
            audit_trail.record_api_save(self.request, saved, added=False, location_id=self.location_id_of(saved))

    def perform_destroy(self, instance: Model) -> None:
        with transaction.atomic():
            audit_trail.record_api_deletion(self.request, instance, location_id=self.location_id_of(instance))
            instance.delete()

    def save(self, serializer: BaseSerializer[Any]) -> Model:
        saved: Model = serializer.save()
        return saved

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in API_HEADERS.items():
            response[name] = value
        return response


class LocationViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The brokerages (GHL sub-accounts) you belong to."""

    location_field = ""
    queryset = Location.objects.order_by("name")
    serializer_class = serializers.LocationSerializer
    pagination_class = None


class LeadViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin):
    """Leads: filter, search by name, email or phone, change the pipeline status, pause and resume the bot, hand
    the lead to a person and back."""

    queryset = Contact.objects.select_related("conversation").defer("custom_fields", "conversation__state")
    serializer_class = serializers.LeadSerializer
    filterset_class = filters.LeadFilterSet
    search_fields = ["first_name", "last_name", "email", "phone"]

    def get_queryset(self) -> QuerySet[Any]:
        leads = super().get_queryset()
        if self.action != "list":
            return leads
        # Plain rows of the columns the JSON shows: model instances for a page of leads and their conversations
        # cost as much CPU as the rest of the request.
        return leads.values(*serializers.LEAD_COLUMNS, last_reply_at=F("conversation__last_inbound_at"))

    def _this_lead(self) -> QuerySet[Contact]:
        return Contact.objects.filter(pk=self.get_object().pk)

    @extend_schema(request=serializers.PauseSerializer, responses=serializers.CountSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str | None = None) -> Response:
        """Put the bot to sleep for this lead, until `until` or until resumed."""
        body = serializers.PauseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        paused = broker_actions.pause_bot(self._this_lead(), by=audit_trail.api_actor(request),
                                          until=body.validated_data.get("until"))
        return Response(serializers.CountSerializer(paused).data)

    @extend_schema(request=None, responses=serializers.CountSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        """End the pause; the bot answers the lead's next text (unless a tag such as AI-Off stops it)."""
        resumed = broker_actions.resume_bot(self._this_lead(), by=audit_trail.api_actor(request))
        return Response(serializers.CountSerializer(resumed).data)

    @extend_schema(methods=["POST"], request=serializers.ScoreOverrideSerializer, responses=serializers.LeadSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses=serializers.LeadSerializer)
    @action(detail=True, methods=["post", "delete"], url_path="score-override", permission_classes=[BrokersWrite])
    def score_override(self, request: Request, pk: str | None = None) -> Response:
        """Brokers: set the lead's score by hand (it sticks through the nightly rescoring), or DELETE to go back
        to the computed score."""
        lead = self.get_object()
        by = audit_trail.api_actor(request)
        if request.method == "DELETE":
            with transaction.atomic():
                analytics.clear_score_override(lead)
                record_action(by, AuditAction.SCORE_OVERRIDE_CLEARED, location_id=lead.location_id, lead=lead)
        else:
            body = serializers.ScoreOverrideSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            score = body.validated_data["score"]
            with transaction.atomic():
                analytics.override_score(lead, score, body.validated_data["reason"], request.user)
                record_action(by, AuditAction.SCORE_OVERRIDDEN, location_id=lead.location_id, lead=lead,
                              changes={"score": [lead.score, score]}, summary=f"score {score}")
        return Response(serializers.LeadSerializer(self.get_object()).data)

    @extend_schema(request=None, responses=serializers.CountSerializer)
    @action(detail=True, methods=["post"], url_path="hand-back")
    def hand_back(self, request: Request, pk: str | None = None) -> Response:
        """Give the lead back to the bot: AI-Off and Human-Follow-Up-Needed come off in GHL, the pause ends."""
        handed = broker_actions.hand_back_to_bot(self._this_lead(), by=audit_trail.api_actor(request))
        return Response(serializers.CountSerializer(handed).data)

    @extend_schema(request=None, responses=serializers.CountSerializer)
    @action(detail=True, methods=["post"], url_path="hand-to-human")
    def hand_to_human(self, request: Request, pk: str | None = None) -> Response:
        """Tag the lead Human-Follow-Up-Needed + AI-Off in GHL; the bot stays off."""
        handed = broker_actions.hand_to_human(self._this_lead().select_related("location"),
                                              by=audit_trail.api_actor(request))
        return Response(serializers.CountSerializer(handed).data)


class ConversationViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Each lead's conversation with the bots, with the qualification state the bot keeps. Its texts are at
    /api/v1/messages/?conversation=<id>."""

    location_field = "contact__location"
    queryset = Conversation.objects.all()
    serializer_class = serializers.ConversationSerializer
    filterset_class = filters.ConversationFilterSet


class MessageViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Texts from leads, the bots and people, newest first; filter by conversation, lead, direction or time."""

    location_field = "conversation__contact__location"
    queryset = Message.objects.all()
    serializer_class = serializers.MessageSerializer
    filterset_class = filters.MessageFilterSet
    pagination_class = NewestIdFirst


class PropertyViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, mixins.DestroyModelMixin,
):
    """Listings the buyer bot matches: members read them, brokers add, change, delete and import them."""

    permission_classes = [BrokersWrite]
    queryset = Property.objects.all()
    serializer_class = serializers.PropertySerializer
    filterset_class = filters.PropertyFilterSet
    search_fields = ["listing_id", "address", "city", "postal_code", "neighbourhood"]

    def save(self, serializer: BaseSerializer[Property]) -> Property:
        # The serializer checks (location, listing_id) first; two requests saving the same id at once both pass
        # that check, and the unique constraint turns the second away: a 400, as the check would have.
        try:
            with transaction.atomic():
                return serializer.save()
        except IntegrityError:
            raise ValidationError({"listing_id": ["This location already has a listing with this id."]}) from None

    @extend_schema(request=serializers.ListingImportSerializer, responses=serializers.ListingImportReportSerializer)
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_csv(self, request: Request) -> Response:
        """Upsert a RESO CSV by ListingId into one of your locations; bad rows are reported, not fatal."""
        upload = serializers.ListingImportSerializer(data=request.data, context=self.get_serializer_context())
        upload.is_valid(raise_exception=True)
        stream = io.TextIOWrapper(upload.validated_data["file"].file, encoding="utf-8-sig", errors="replace")
        report = broker_actions.import_listings(stream, upload.validated_data["location"],
                                                by=audit_trail.api_actor(request))
        return Response(serializers.ListingImportReportSerializer(report).data, status=status.HTTP_200_OK)



class DraftViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Suggest mode: texts the bot wrote and holds for a person. Approve as written, approve with your edit, or
    discard; the compliance gate still checks an approved text before it goes out."""

    queryset = Draft.objects.select_related("decided_by")
    serializer_class = serializers.DraftSerializer
    filterset_class = filters.DraftFilterSet
    pagination_class = NewestCreatedFirst

    @extend_schema(request=serializers.DraftApprovalSerializer, responses=serializers.DraftSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Send the draft, or `body` in its place (an edit). 409 when it was already decided; 400 when the
        edit breaks a compliance rule."""
        edit = serializers.DraftApprovalSerializer(data=request.data)
        edit.is_valid(raise_exception=True)
        draft = self.get_object()
        try:
            broker_actions.approve_draft(draft.pk, by=audit_trail.api_actor(request),
                                         body=edit.validated_data.get("body"))
        except drafts.DraftNotPending as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        except drafts.DraftRejected as error:
            return Response({"body": [str(error)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(serializers.DraftSerializer(self.get_object()).data)

    @extend_schema(request=None, responses=serializers.DraftSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, pk: str | None = None) -> Response:
        """Drop the draft: nothing is sent."""
        draft = self.get_object()
        try:
            broker_actions.discard_draft(draft.pk, by=audit_trail.api_actor(request))
        except drafts.DraftNotPending as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(serializers.DraftSerializer(self.get_object()).data)


class ScoreViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Lead scores over time, newest first: 0-100, what set each (a trained model, the prior, a person) and the
    reasons, strongest first. Filter by `lead` for one lead's history."""

    location_field = "contact__location"
    queryset = LeadScore.objects.select_related("model").defer("model__model_bytes")
    serializer_class = serializers.ScoreSerializer
    filterset_class = filters.ScoreFilterSet
    pagination_class = NewestComputedFirst


class ChurnPredictionViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Open leads likely to go silent, most likely first, with the reasons and the next step."""

    queryset = ChurnPrediction.objects.all()
    serializer_class = serializers.ChurnPredictionSerializer
    filterset_class = filters.ChurnPredictionFilterSet
    pagination_class = MostLikelyFirst


class ForecastViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Commission expected per location and month, with its interval, what has closed, and the trend model's
    back-tested error."""

    queryset = RevenueForecast.objects.all()
    serializer_class = serializers.ForecastSerializer
    filterset_class = filters.ForecastFilterSet
    pagination_class = LatestMonthFirst
