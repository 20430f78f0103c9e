"""/api/v1/: one router for every viewset, and the token endpoint (username + password in, token out)."""
from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter

from console.api import viewsets
from console.api.throttling import SignInPerAddressThrottle, SignInPerUsernameThrottle


class TokenSignIn(ObtainAuthToken):
    """POST username and password; get the token for `Authorization: Token <token>`. Throttled per address and per
    username; repeated failures lock the username out from that address, as in the admin (django-axes)."""

    throttle_classes = [SignInPerAddressThrottle, SignInPerUsernameThrottle]


router = DefaultRouter()
router.register("locations", viewsets.LocationViewSet, basename="location")
router.register("leads", viewsets.LeadViewSet, basename="lead")
router.register("conversations", viewsets.ConversationViewSet, basename="conversation")
router.register("messages", viewsets.MessageViewSet, basename="message")
router.register("properties", viewsets.PropertyViewSet, basename="property")
router.register("drafts", viewsets.DraftViewSet, basename="draft")
router.register("scores", viewsets.ScoreViewSet, basename="score")
router.register("churn-predictions", viewsets.ChurnPredictionViewSet, basename="churn-prediction")
router.register("forecasts", viewsets.ForecastViewSet, basename="forecast")

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenSignIn.as_view(), name="api-token"),
    path("", include(router.urls)),
]
