"""Mobile logins: JWT pairs whose refresh tokens rotate and are revoked as a family.

A login (`issue_token_pair`) opens a `TokenFamily` and writes its id into the `fam`
claim; every refresh token rotated from it carries the same claim. A refresh token
works once: rotation blacklists it (simplejwt's blacklist) and hands out a new pair.
If a spent refresh token comes back, someone holds a copy (the app or a thief, we
cannot tell which), so the whole family is revoked: the newest refresh token stops
working too, and the user logs in again. Logout revokes the family the same way.

Access tokens are short-lived and are not checked against the revocation: that is
the trade of stateless access tokens; their lifetime (SIMPLE_JWT) bounds it. The user
an access token names is read as its principal (billing_bff.principal: Redis while
current, else the database), so a deactivated user is refused at the next request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenObtainSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from billing_bff import principal
from billing_bff.models import TokenFamily

logger = logging.getLogger(__name__)

FAMILY_CLAIM = "fam"


# Access tokens this process has verified (signature, type, claims), newest last: a
# token's signature is checked once, its expiry on every use.
_VERIFIED: OrderedDict[bytes, object] = OrderedDict()
_VERIFIED_LOCK = threading.Lock()
_VERIFIED_MAX = 10_000


class PrincipalJWTAuthentication(JWTAuthentication):
    """simplejwt's bearer authentication, the user read as a principal (no query when warm),
    and each access token's signature verified once per process."""

    def get_validated_token(self, raw_token: bytes):
        found = _VERIFIED.get(raw_token)
        if found is not None:
            leeway = found.get_token_backend().get_leeway().total_seconds()
            if time.time() < found.payload["exp"] + leeway:
                return found
        token = super().get_validated_token(raw_token)  # InvalidToken if not (any longer)
        with _VERIFIED_LOCK:
            _VERIFIED[raw_token] = token
            while len(_VERIFIED) > _VERIFIED_MAX:
                _VERIFIED.popitem(last=False)
        return token

    def get_user(self, validated_token):
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        found = principal.load(user_id) if str(user_id).isdigit() else None
        if found is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not found.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        return found.user()


class FamilyRefreshToken(RefreshToken):
    """A refresh token that belongs to a login family and dies with it."""

    def check_blacklist(self) -> None:
        family_id = self.payload.get(FAMILY_CLAIM)
        if (
            not family_id
            or not TokenFamily.objects.filter(pk=family_id, revoked_at__isnull=True).exists()
        ):
            raise TokenError(_("Token is invalid"))
        jti = self.payload[api_settings.JTI_CLAIM]
        if BlacklistedToken.objects.filter(token__jti=jti).exists():
            revoke_token_family(family_id=family_id, reason="reuse")
            raise TokenError(_("Token is blacklisted"))


def issue_token_pair(*, user) -> dict[str, str]:
    """A new login: a new family, its first refresh token and an access token."""
    family = TokenFamily.objects.create(user=user)
    refresh = FamilyRefreshToken()
    refresh[api_settings.USER_ID_CLAIM] = str(getattr(user, api_settings.USER_ID_FIELD))
    refresh[FAMILY_CLAIM] = str(family.pk)
    refresh.outstand()
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def rotate_refresh_token(*, raw: str) -> dict[str, str]:
    """Spend `raw` and return a new pair of the same family; TokenError if it may not.

    Spending is claiming the token's blacklist row: the database's uniqueness makes
    two concurrent uses of one token end with exactly one winner, and the other
    counted as reuse.
    """
    refresh = FamilyRefreshToken(raw)  # signature, expiry, type, family, blacklist
    family_id = refresh[FAMILY_CLAIM]
    user = (
        get_user_model()
        .objects.filter(**{api_settings.USER_ID_FIELD: refresh.get(api_settings.USER_ID_CLAIM)})
        .first()
    )
    if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
        revoke_token_family(family_id=family_id, reason="user")
        raise TokenError(_("Token is invalid"))
    outstanding, _created = refresh.outstand()
    try:
        with transaction.atomic():
            _row, first_use = BlacklistedToken.objects.get_or_create(token=outstanding)
    except IntegrityError:
        first_use = False
    if not first_use:
        revoke_token_family(family_id=family_id, reason="reuse")
        raise TokenError(_("Token is blacklisted"))
    refresh.set_jti()
    refresh.set_exp()
    refresh.set_iat()
    refresh.outstand()
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def revoke_token_family(*, family_id: str, reason: str) -> None:
    """End a login everywhere: no refresh token of the family will be accepted again."""
    revoked = TokenFamily.objects.filter(pk=family_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    if revoked and reason == "reuse":
        # Worth a look: either the app retried a refresh, or a token was copied.
        logger.warning("refresh token reused; login family %s revoked", family_id)


class _AnyStateRefreshToken(FamilyRefreshToken):
    """Signature, expiry and type checked; spent or revoked is fine (for logout)."""

    def check_blacklist(self) -> None:
        if not self.payload.get(FAMILY_CLAIM):
            raise TokenError(_("Token is invalid"))


def logout_refresh_token(*, raw: str) -> None:
    """Revoke the login the refresh token belongs to; TokenError if it is not ours.

    A spent or already revoked token of ours is accepted: logging out twice, or after
    a rotation the app missed, still ends the login, which is what the user asked for.
    """
    refresh = _AnyStateRefreshToken(raw)
    revoke_token_family(family_id=refresh[FAMILY_CLAIM], reason="logout")
    try:
        with transaction.atomic():
            refresh.blacklist()
    except IntegrityError:  # a concurrent request blacklisted it first
        pass


class TokenPairSerializer(TokenObtainSerializer):
    """Username and password in, a new login's token pair out."""

    def validate(self, attrs):
        super().validate(attrs)  # authenticates, or raises AuthenticationFailed
        # The same signal as a browser login: last_login, and warming the user's data.
        user_logged_in.send(
            sender=type(self.user), request=self.context.get("request"), user=self.user
        )
        return issue_token_pair(user=self.user)


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField()

    def validate(self, attrs):
        return rotate_refresh_token(raw=attrs["refresh"])


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()
