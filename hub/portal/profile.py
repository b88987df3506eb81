"""A user's own profile: the e-mail address password-reset links go to, a phone number, the
language of pages and documents."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.audit.service import record
from hub.core.i18n import LOCALES, translatable
from hub.core.roles import Principal
from hub.portal.models import Profile
from hub.users.service import set_locale
from shared.errors import Conflict, DataError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ProfileForm:
    email: str
    phone: str
    locale: str


def profile_of(session: Session, user_id: int) -> Profile:
    """The stored profile, or an empty one (not added) for a user who never saved it."""
    return session.get(Profile, user_id) or Profile(user_id=user_id, email="", phone="")


def save(session: Session, principal: Principal, form: ProfileForm) -> Profile:
    """Check and store; one e-mail address belongs to one account (resets must find one)."""
    if principal.user_id is None:
        raise DataError("an API token has no profile", hint="sign in as a user")
    email = form.email.strip().lower()
    if email and (len(email) > 200 or not EMAIL.match(email)):
        raise translatable(
            DataError, "{email} is not an e-mail address", "like nama@toko.co.id", email=email
        )
    if form.locale not in LOCALES:
        raise DataError(
            "unknown language {locale}",
            hint="one of {known}",
            locale=repr(form.locale),
            known=", ".join(LOCALES),
        )
    taken = email and session.scalar(
        select(Profile.user_id).where(Profile.email == email, Profile.user_id != principal.user_id)
    )
    if taken:
        raise translatable(
            Conflict,
            "{email} is the address of another account",
            "each account needs its own address for password resets",
            email=email,
        )
    profile = session.get(Profile, principal.user_id)
    if profile is None:
        profile = Profile(user_id=principal.user_id)
        session.add(profile)
    before = {"email": profile.email, "phone": profile.phone}
    profile.email, profile.phone = email, form.phone.strip()[:40]
    set_locale(session, principal.user_id, form.locale)
    session.flush()
    record(
        session,
        principal,
        "user.profile",
        "user",
        principal.user_id,
        before,
        {"email": email, "phone": profile.phone, "locale": form.locale},
    )
    return profile
