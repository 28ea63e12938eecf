"""Who a user is, for the access check, without the database on a warm request.

A principal is what `billing_bff.access` needs to decide anything about a user: whether
they are active, whether they are customer service (an agent), and their links to the
customers of the configured ledger (number, name, role), in menu order. It is built
from the database and kept in Redis under the user's own hash tag:

    {prefix}:{u:<id>}:gen        the user's generation: a new random token at every
                                 change below (never a value it had before, even
                                 after the key expired or was evicted)
    {prefix}:{u:<id>}:principal  the snapshot, stamped with the generation it was built at

Revocation is explicit. Every change that can change what a user may see or do (the
user row itself: active, staff, superuser, deleted; a link added, changed or removed;
their groups and permissions; a group's permissions) bumps the generation when it is
made and again once its transaction has committed (the signals at the bottom). A
request reads the generation and the snapshot in one round trip and uses the snapshot
only when both agree, so the change takes effect at the very next request, in every
process. A request that builds a snapshot stamps it with the generation it read before
the database, so a change that commits meanwhile leaves that snapshot behind at once.

While Redis cannot answer, the principal is read from the database on every request,
as before there was a snapshot. A bump that cannot reach Redis is logged as an error;
the snapshot it should have left behind lives PRINCIPAL_TTL_SECONDS at most.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from billing_bff import redis as shared_redis
from billing_bff.models import CustomerLink
from billing_bff.redis import get_redis, key

logger = logging.getLogger(__name__)

# The permission that makes an active staff user customer service (billing_bff.access).
AGENT_PERMISSION = "billing_bff.act_as_agent"


@dataclass(frozen=True)
class Link:
    customer_no: str
    display_name: str
    role: str


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    is_active: bool
    is_staff: bool
    is_superuser: bool
    agent: bool
    links: tuple[Link, ...]
    # The user's session auth hash (Django's HMAC of the password hash, the value every
    # session of theirs holds): a session is verified against it without the database.
    session_hash: str = ""

    def role_for(self, customer_no: str) -> str | None:
        return next((link.role for link in self.links if link.customer_no == customer_no), None)

    def as_json(self, generation: str) -> str:
        return json.dumps(
            {
                "gen": generation,
                "user": [
                    self.user_id,
                    self.username,
                    self.is_active,
                    self.is_staff,
                    self.is_superuser,
                ],
                "agent": self.agent,
                "links": [[link.customer_no, link.display_name, link.role] for link in self.links],
                "session": self.session_hash,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: bytes) -> tuple[str, Principal]:
        return _parsed(raw)

    @classmethod
    def _from_json(cls, raw: bytes) -> tuple[str, Principal]:
        found = json.loads(raw)
        user_id, username, is_active, is_staff, is_superuser = found["user"]
        return found["gen"], cls(
            user_id=user_id,
            username=username,
            is_active=is_active,
            is_staff=is_staff,
            is_superuser=is_superuser,
            agent=found["agent"],
            links=tuple(Link(*link) for link in found["links"]),
            session_hash=found.get("session", ""),
        )

    def user(self):
        """The user as a model instance without a query: the snapshot's fields loaded,
        every other field deferred (read on first use; a save writes the loaded ones)."""
        known = {
            "id": self.user_id,
            "username": self.username,
            "is_active": self.is_active,
            "is_staff": self.is_staff,
            "is_superuser": self.is_superuser,
        }
        model = get_user_model()
        # from_db takes the values in the model's field order.
        names = [f.attname for f in model._meta.concrete_fields if f.attname in known]
        user = model.from_db("default", names, [known[name] for name in names])
        user.principal = self
        if self.session_hash:
            kept = self.session_hash

            def session_auth_hash() -> str:
                # The hash it was built with, no query for the deferred password; once
                # a password is set on the instance (a password change), its own.
                if "password" in user.__dict__:
                    return type(user).get_session_auth_hash(user)
                return kept

            user.get_session_auth_hash = session_auth_hash
        return user


@lru_cache(maxsize=8192)
def _parsed(raw: bytes) -> tuple[str, Principal]:
    """A kept snapshot, parsed once per process: its bytes hold its generation, so the
    same bytes are always the same principal."""
    return Principal._from_json(raw)


def _gen_key(user_id) -> str:
    return key(f"{{u:{user_id}}}", "gen")


def _snapshot_key(user_id) -> str:
    return key(f"{{u:{user_id}}}", "principal")


def build(user) -> Principal:
    """The principal of a user row, from the database."""
    links = CustomerLink.objects.filter(user=user, ledger_no=settings.PAYEX_OWNER_NO).order_by(
        "display_name", "customer_no"
    )
    return Principal(
        user_id=user.pk,
        username=user.get_username(),
        is_active=user.is_active,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        agent=bool(user.is_active and user.is_staff and user.has_perm(AGENT_PERMISSION)),
        links=tuple(
            Link(link.customer_no, link.display_name, link.role)
            for link in links.only("customer_no", "display_name", "role")
        ),
        session_hash=user.get_session_auth_hash(),
    )


def of_user(user) -> Principal:
    """The principal of a user object: the snapshot it came from (a bearer token's
    user), else its id's current one (`load`)."""
    found = getattr(user, "principal", None)
    if isinstance(found, Principal):
        return found
    return load(user.pk) or build(user)


def load(user_id) -> Principal | None:
    """The principal of a user id (None: no such user): Redis when current, else the
    database, kept for the next request."""
    generation = None
    try:
        # One command: both keys carry the user's hash tag.
        raw_generation, raw = get_redis().mget(_gen_key(user_id), _snapshot_key(user_id))
        generation = raw_generation.decode() if raw_generation else "-"
        if raw is not None:
            kept_generation, principal = Principal.from_json(raw)
            if kept_generation == generation:
                return principal
    except redis.RedisError as exc:
        shared_redis.failed(exc)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    principal = build(user)
    if generation is not None:
        try:
            get_redis().set(
                _snapshot_key(user_id),
                principal.as_json(generation),
                ex=settings.PRINCIPAL_TTL_SECONDS,
            )
        except redis.RedisError as exc:
            shared_redis.failed(exc)
    return principal


def bump(*user_ids) -> None:
    """Leave the users' snapshots behind: now, and again once the current transaction
    commits (a request that read the database between the two built its snapshot from
    what was there before the commit; the second bump leaves it behind)."""
    ids = sorted({int(user_id) for user_id in user_ids if user_id is not None})
    if ids:
        _bump_now(ids)
        transaction.on_commit(lambda: _bump_now(ids))


def _bump_now(user_ids: list[int]) -> None:
    try:
        pipe = get_redis().pipeline(transaction=False)
        for user_id in user_ids:
            # Outlives every snapshot stamped with the token before it.
            pipe.set(_gen_key(user_id), uuid.uuid4().hex, ex=settings.PRINCIPAL_TTL_SECONDS * 2)
        pipe.execute()
    except redis.RedisError as exc:
        shared_redis.failed(exc)
        logger.error(
            "could not revoke %d users' cached principals (%s): they end within %ss",
            len(user_ids),
            type(exc).__name__,
            settings.PRINCIPAL_TTL_SECONDS,
        )


class PrincipalBackend(ModelBackend):
    """Django's model backend, a session's user read as its principal (no query when
    warm). The session is still verified against the user's current session auth hash
    (the principal's), so a changed password ends the other sessions at once."""

    def get_user(self, user_id):
        found = load(user_id) if str(user_id).isdigit() else None
        if found is None or not found.is_active:
            return None
        return found.user()


# --- what bumps a user -------------------------------------------------------------------
def _user_changed(sender, instance, **kwargs) -> None:
    bump(instance.pk)


def _link_changed(sender, instance, **kwargs) -> None:
    bump(instance.user_id)


def _user_m2m_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    # user.groups / user.user_permissions, from either side.
    if not action.startswith("post_") and action != "pre_clear":
        return
    if not reverse:
        bump(instance.pk)
    elif action == "pre_clear":
        bump(*instance.user_set.values_list("pk", flat=True))
    else:
        bump(*(pk_set or ()))


def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    groups = [instance] if not reverse else Group.objects.filter(pk__in=pk_set or ())
    bump(*get_user_model().objects.filter(groups__in=groups).values_list("pk", flat=True))


def _group_deleted(sender, instance, **kwargs) -> None:
    # Its memberships go by cascade, without m2m signals: bump the members now.
    bump(*instance.user_set.values_list("pk", flat=True))


def connect_signals() -> None:
    user_model = get_user_model()
    post_save.connect(_user_changed, sender=user_model, dispatch_uid="principal-user-save")
    post_delete.connect(_user_changed, sender=user_model, dispatch_uid="principal-user-delete")
    post_save.connect(_link_changed, sender=CustomerLink, dispatch_uid="principal-link-save")
    post_delete.connect(_link_changed, sender=CustomerLink, dispatch_uid="principal-link-delete")
    for through in (user_model.groups.through, user_model.user_permissions.through):
        m2m_changed.connect(
            _user_m2m_changed, sender=through, dispatch_uid=f"principal-{through.__name__}"
        )
    m2m_changed.connect(
        _group_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid="principal-group-permissions",
    )
    pre_delete.connect(_group_deleted, sender=Group, dispatch_uid="principal-group-delete")
