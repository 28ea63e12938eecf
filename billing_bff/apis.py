"""The JSON API of identity: mobile login, token refresh, logout, and who am I."""

from __future__ import annotations

from functools import lru_cache

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from billing_bff import auth, principal, throttle
from billing_bff.web import openapi as doc
from billing_bff.web.middleware import body_etag

# Token responses must not be stored by any cache on the way (RFC 6749, 5.1).
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class _CredentialsApi(APIView):
    """Endpoints whose body carries the credential, so no Authorization header is read."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        # Without it DRF turns a 401 into a 403; a bad credential here is a 401.
        return 'Bearer realm="api"'


_TOKEN_EXAMPLE = OpenApiExample(
    "Log in",
    value={"username": "anna", "password": "correct horse battery staple"},
    request_only=True,
)
_REFRESH_EXAMPLE = OpenApiExample(
    "A refresh token", value={"refresh": "eyJhbGciOi…"}, request_only=True
)


class TokenObtainApi(_CredentialsApi):
    """POST username and password → {"access", "refresh"}; 401 on bad credentials."""

    @extend_schema(
        tags=["identity"],
        summary="Log in: a new access and refresh token",
        request=doc.TokenRequestSerializer,
        examples=[_TOKEN_EXAMPLE],
        parameters=[doc.RETRY_AFTER],
        responses={
            **doc.ok(doc.TokenPairSerializer, doc.TOKEN_PAIR_EXAMPLE),
            **doc.problems(
                400, 401, 413, 415, 429, errors={"password": ["This field is required."]}
            ),
        },
    )
    def post(self, request: Request) -> Response:
        given = request.data.get("username") if isinstance(request.data, dict) else None
        username = "" if given is None else str(given)
        address = throttle.client_address(request)
        if username:
            throttle.ensure_login_allowed(username=username, address=address)
        serializer = auth.TokenPairSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except AuthenticationFailed:
            throttle.record_login_failure(username=username, address=address)
            raise
        throttle.record_login_success(username=username, address=address)
        return Response(serializer.validated_data, headers=_NO_STORE)


class TokenRefreshApi(_CredentialsApi):
    """POST {"refresh"} → a new pair; the given refresh token is spent."""

    @extend_schema(
        tags=["identity"],
        summary="A new pair for a refresh token (which is then spent)",
        description="A refresh token works once; a reused one ends the whole login (401).",
        request=doc.RefreshRequestSerializer,
        examples=[_REFRESH_EXAMPLE],
        responses={
            **doc.ok(doc.TokenPairSerializer, doc.TOKEN_PAIR_EXAMPLE),
            **doc.problems(400, 401, 413, 415, errors={"refresh": ["This field is required."]}),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = auth.RefreshSerializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        return Response(serializer.validated_data, headers=_NO_STORE)


class LogoutApi(_CredentialsApi):
    """POST {"refresh"} → 204; that login's refresh tokens are revoked.

    No access token is needed: holding the refresh token is the proof, and an app
    whose access token has expired must still be able to log out.
    """

    @extend_schema(
        tags=["identity"],
        summary="Log out: the login's refresh tokens stop working",
        request=doc.RefreshRequestSerializer,
        examples=[_REFRESH_EXAMPLE],
        responses={
            **doc.NO_CONTENT,
            **doc.problems(400, 401, 413, 415, errors={"refresh": ["This field is required."]}),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = auth.LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            auth.logout_refresh_token(raw=serializer.validated_data["refresh"])
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    """GET → the user and each customer they may act for, with their role there."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["identity"],
        summary="The user, and the customers they act for with their role",
        parameters=[doc.IF_NONE_MATCH, doc.ETAG],
        responses={
            **doc.ok(
                doc.MeSerializer,
                {
                    "username": "anna",
                    "customers": [{"customerNo": "3996668", "name": "Anna", "role": "owner"}],
                    "agent": False,
                },
            ),
            **doc.NOT_MODIFIED,
            **doc.problems(401),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        body, etag = _me_answer(principal.of_user(request.user))
        response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        return response


@lru_cache(maxsize=4096)
def _me_answer(found: principal.Principal) -> tuple[bytes, str]:
    """/me of a principal, rendered once per process: it is all the body says, and a
    change to any of it is a new principal (billing_bff.principal)."""
    customers = [
        doc.shaped(
            doc.MeCustomerSerializer,
            customerNo=link.customer_no,
            name=link.display_name,
            role=link.role,
        )
        for link in found.links
    ]
    # Agents open customers by number; the app shows them a search instead.
    body = doc.shaped(
        doc.MeSerializer, username=found.username, customers=customers, agent=found.agent
    )
    return JSONRenderer().render(body), body_etag(body)
