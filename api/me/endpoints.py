"""The signed-in user's own account: who they are, their artist profile, their wallets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from api.deps import ContextDep, CurrentUser, SessionDep, require_roles
from api.errors import problem_responses
from harmoni.errors import RateLimited, ValidationFailed
from harmoni.ratelimit import limiter_for
from identity import service, verification
from identity.errors import (
    ArtistProfileNotFound,
    EmailAlreadyVerified,
    Forbidden,
    InvalidToken,
    NoEmailAddress,
    Unauthenticated,
    WalletExists,
)
from identity.models import Role, User
from identity.schemas import ArtistProfileIn, ArtistProfileOut, EmailVerificationSent, UserOut, WalletOut

router = APIRouter(prefix="/v1/me", tags=["me"])
ArtistUser = Annotated[User, require_roles(Role.artist)]
_AUTH_PROBLEMS = (Unauthenticated, InvalidToken)
_ARTIST_PROBLEMS = (*_AUTH_PROBLEMS, Forbidden)


@router.get("", summary="The signed-in account (any signed-in user)", responses=problem_responses(*_AUTH_PROBLEMS))
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.post("/email-verification", status_code=202,
             summary="E-mail a new verification link to the account's address (signed-in, unverified accounts)",
             responses=problem_responses(*_AUTH_PROBLEMS, EmailAlreadyVerified, NoEmailAddress, RateLimited))
def resend_email_verification(session: SessionDep, context: ContextDep, user: CurrentUser) -> EmailVerificationSent:
    settings = context.settings
    limit = settings.email_verifications_per_hour
    decision = limiter_for(settings.redis_url).hit(f"email-verification:{user.id}", limit, 3600)
    if not decision.allowed:
        raise RateLimited(f"an account may ask for {limit} verification e-mails per hour; retry in "
                          f"{decision.reset_after_s}s", retry_after_s=decision.reset_after_s, limit=limit)
    email = verification.send(session, settings, user)
    return EmailVerificationSent(sent_to=email.to_address, expires_in=settings.email_verification_ttl_hours * 3600)


@router.get("/artist-profile", summary="The artist's public profile (artists)",
            responses=problem_responses(*_ARTIST_PROBLEMS, ArtistProfileNotFound))
def get_artist_profile(session: SessionDep, user: ArtistUser) -> ArtistProfileOut:
    return ArtistProfileOut.model_validate(service.artist_profile(session, user))


@router.put("/artist-profile", summary="Create or replace the artist's profile (artists)",
            responses=problem_responses(*_ARTIST_PROBLEMS, ValidationFailed))
def put_artist_profile(body: ArtistProfileIn, session: SessionDep, user: ArtistUser) -> ArtistProfileOut:
    profile = service.save_artist_profile(session, user, display_name=body.display_name, bio=body.bio,
                                          links=[link.model_dump(mode="json") for link in body.links])
    return ArtistProfileOut.model_validate(profile)


@router.get("/wallets", summary="Linked and custodial wallets of the account (any signed-in user)",
            responses=problem_responses(*_AUTH_PROBLEMS))
def list_wallets(session: SessionDep, user: CurrentUser) -> list[WalletOut]:
    return [WalletOut.model_validate(wallet) for wallet in service.wallets(session, user)]


@router.post("/wallets/custodial", status_code=201,
             summary="Have the platform create and hold a wallet for the artist (artists without a wallet)",
             responses=problem_responses(*_ARTIST_PROBLEMS, WalletExists))
def create_custodial_wallet(session: SessionDep, context: ContextDep, user: ArtistUser) -> WalletOut:
    return WalletOut.model_validate(service.create_custodial_wallet(session, context.settings, user))
