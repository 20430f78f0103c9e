"""`POST /api/v1/simulator/`: try the bots as a pretend lead of a location you belong to, in dry run.

Thin: the view checks the caller may see the location and hands the message to bots.simulator. The same
`contact_key` carries the conversation on (sessions expire after a day without a message). Claude reads and
phrases for the location's brokers only: practice by agents would spend the brokerage's Claude budget, so they
practise on the offline engine.
"""
from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bots.engine import OFFLINE
from bots.simulator import RedisSessions, simulate_turn
from console.api.permissions import IsLocationMember
from console.api.viewsets import API_HEADERS
from leads.access import scope_of
from leads.models import Location

# Long enough for any real SMS burst; the bots read one message at a time.
MAX_MESSAGE_CHARS = 1600


class SimulatorRequestSerializer(serializers.Serializer):
    location = serializers.CharField(max_length=64, help_text="The GHL location id whose bots answer")
    contact_key = serializers.RegexField(
        r"^[A-Za-z0-9_.:-]{1,64}$", required=False,
        help_text="Continue this practice conversation; leave out to start a new one (its key is in the answer)",
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=50,
        help_text="The pretend lead's GHL tags (e.g. Needs Qualifying); leave out to keep the session's tags",
    )
    message = serializers.CharField(max_length=MAX_MESSAGE_CHARS, trim_whitespace=False)
    now = serializers.DateTimeField(
        required=False, help_text="When the lead sends the message (default: now), to play out a day or a week"
    )


class ListingMatchSerializer(serializers.Serializer):
    listing_id = serializers.CharField()
    address = serializers.CharField()
    city = serializers.CharField()
    neighbourhood = serializers.CharField()
    price = serializers.IntegerField()
    beds = serializers.IntegerField()
    in_area = serializers.CharField(allow_null=True)
    under_budget = serializers.BooleanField()


class SimulatedTurnSerializer(serializers.Serializer):
    contact_key = serializers.CharField()
    reply = serializers.CharField(allow_null=True, help_text="The text the lead would get; null when the bot is quiet")
    bot = serializers.CharField(help_text="The bot that answered: lead, seller or buyer")
    outcome = serializers.CharField()
    temperature = serializers.CharField(allow_null=True)
    next_question = serializers.CharField(allow_null=True)
    tags_add = serializers.ListField(child=serializers.CharField())
    tags_remove = serializers.ListField(child=serializers.CharField())
    tags = serializers.ListField(child=serializers.CharField(), help_text="The pretend lead's tags after this turn")
    custom_fields = serializers.DictField(child=serializers.CharField())
    handoff = serializers.CharField(allow_null=True)
    matches = ListingMatchSerializer(many=True)
    state = serializers.DictField(help_text="The bot's qualification state, as stored on a real conversation")
    screened = serializers.ListField(
        child=serializers.CharField(), help_text="What the inbound screen caught in the message (Fair Housing, "
                                                 "deletion, consent, RESPA...), in the broker's words",
    )


class SimulatorView(APIView):
    """Send a message as a pretend lead; get the reply and every write the bots would make, with none made."""

    permission_classes = [IsLocationMember]

    @extend_schema(request=SimulatorRequestSerializer, responses=SimulatedTurnSerializer)
    def post(self, request: Request) -> Response:
        body = SimulatorRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        # A location the caller may not see answers exactly like one that does not exist.
        location = Location.objects.filter(pk=data["location"]).first()
        scope = scope_of(request.user)
        if location is None or not scope.can_see(location.pk):
            return Response({"detail": "No such location."}, status=status.HTTP_404_NOT_FOUND)
        turn = simulate_turn(
            location, data["message"], sessions=RedisSessions(), contact_key=data.get("contact_key"),
            tags=data.get("tags"), now=data.get("now"), engine=None if scope.is_broker_of(location.pk) else OFFLINE,
        )
        return Response(SimulatedTurnSerializer(asdict(turn)).data, headers=API_HEADERS)
