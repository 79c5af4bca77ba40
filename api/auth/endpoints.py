"""Sign-up, login, token refresh and logout, Sign-In With Ethereum, and role grants by admins."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import ContextDep, OptionalUser, SessionDep, client_ip, require_roles
from api.errors import problem_responses
from harmoni.errors import RateLimited, ValidationFailed
from identity import service, tokens, verification
from identity.errors import (
    EmailAlreadyVerified,
    EmailTaken,
    EmailVerificationExpired,
    EmailVerificationInvalid,
    Forbidden,
    InvalidCredentials,
    InvalidToken,
    NonceInvalid,
    PasswordHashingBusy,
    RoleChangeRefused,
    SiweChainMismatch,
    SiweDomainMismatch,
    SiweMessageExpired,
    SiweMessageInvalid,
    SiweSignatureInvalid,
    TokenReused,
    Unauthenticated,
    UserNotFound,
    WalletTaken,
)
from identity.models import Role, SiwePurpose, User
from identity.schemas import (
    LogIn,
    RefreshRequest,
    RoleGrant,
    SignUp,
    SiweNonceIn,
    SiweNonceOut,
    SiweVerify,
    TokenPair,
    UserOut,
    WalletOut,
)

router = APIRouter(prefix="/v1/auth", tags=["auth"])
UserId = Annotated[uuid.UUID, Path(description="The account's `id` (as `GET /v1/me` shows it)")]
AdminUser = Annotated[User, require_roles(Role.admin)]
_SIWE_PROBLEMS = (SiweMessageInvalid, SiweDomainMismatch, SiweChainMismatch, SiweMessageExpired, NonceInvalid,
                  SiweSignatureInvalid, Unauthenticated, InvalidToken, WalletTaken, ValidationFailed)


def _token_pair(login: service.Login) -> TokenPair:
    return TokenPair(access_token=login.access_token, expires_in=int(tokens.ACCESS_TOKEN_TTL.total_seconds()),
                     refresh_token=login.refresh_token,
                     refresh_expires_in=int(tokens.REFRESH_TOKEN_TTL.total_seconds()),
                     user=UserOut.model_validate(login.user))


@router.post("/signup", status_code=201, summary="Create an account with email and password (anyone)",
             responses=problem_responses(EmailTaken, ValidationFailed, RateLimited, PasswordHashingBusy))
def sign_up(body: SignUp, request: Request, session: SessionDep, context: ContextDep) -> TokenPair:
    login = service.sign_up(session, context.settings, email=body.email,
                            password=body.password.get_secret_value(), role=Role(body.role),
                            throttle=context.throttle, ip=client_ip(request))
    return _token_pair(login)


@router.post("/login", summary="Sign in with email and password (anyone)",
             description="Throttled per address (after 5 wrong passwords each further one locks it for 1, 2, 4… s, "
                         "up to 15 min) and per client IP; a throttled attempt is 429 with `Retry-After`.",
             responses=problem_responses(InvalidCredentials, ValidationFailed, RateLimited, PasswordHashingBusy))
def log_in(body: LogIn, request: Request, session: SessionDep, context: ContextDep) -> TokenPair:
    return _token_pair(service.log_in(session, context.settings, email=body.email,
                                      password=body.password.get_secret_value(), throttle=context.throttle,
                                      ip=client_ip(request)))


@router.post("/refresh", summary="Trade a refresh token for a new token pair (the old one is used up)",
             responses=problem_responses(InvalidToken, TokenReused, ValidationFailed))
def refresh(body: RefreshRequest, session: SessionDep, context: ContextDep) -> TokenPair:
    return _token_pair(service.refresh(session, context.settings, body.refresh_token))


@router.post("/logout", status_code=204, summary="Revoke the refresh token's whole login (holder of the token)",
             responses=problem_responses(InvalidToken, ValidationFailed))
def log_out(body: RefreshRequest, session: SessionDep) -> Response:
    service.log_out(session, body.refresh_token)
    return Response(status_code=204)


# The link in the e-mail is opened by a browser, hence GET; the token is in the query, which the access log omits.
@router.get(verification.PATH.removeprefix("/v1/auth"), summary="Confirm an e-mail address with the link e-mailed "
                                                                 "to it (the link's holder)",
            responses=problem_responses(EmailVerificationInvalid, EmailVerificationExpired, EmailAlreadyVerified))
def verify_email(token: Annotated[str, Query(min_length=1, max_length=1000,
                                             description="the token from the verification e-mail")],
                 session: SessionDep, context: ContextDep) -> UserOut:
    return UserOut.model_validate(verification.confirm(session, context.settings, token))


@router.post("/siwe/nonce", status_code=201, summary="A single-use nonce for a Sign-In With Ethereum message",
             description="The nonce works only for its `purpose` (default `login`); a `link` nonce needs a bearer "
                         "token and works only for that account. The message must name the `domain`, a URI on the "
                         "`uri`'s origin, the `chain_id`, and an `Issued At` within the last 10 minutes.",
             responses=problem_responses(Unauthenticated, InvalidToken, ValidationFailed))
def siwe_nonce(session: SessionDep, context: ContextDep, user: OptionalUser,
               body: SiweNonceIn | None = None) -> SiweNonceOut:
    purpose = SiwePurpose(body.purpose if body is not None else "login")
    nonce = service.issue_siwe_nonce(session, purpose, user)
    return SiweNonceOut(nonce=nonce.nonce, purpose=nonce.purpose, expires_at=nonce.expires_at,
                        domain=service.siwe_domain(context.settings), uri=context.settings.api_url,
                        chain_id=context.settings.chain_id)


@router.post("/siwe/verify",
             summary="Sign in with a signed EIP-4361 message, or link its wallet to the bearer's account",
             description="`purpose=login` (anyone) answers with a token pair; `purpose=link` (bearer token "
                         "required) answers with the linked wallet.",
             responses=problem_responses(*_SIWE_PROBLEMS))
def siwe_verify(body: SiweVerify, session: SessionDep, context: ContextDep,
                user: OptionalUser) -> TokenPair | WalletOut:
    if body.purpose == "link":
        wallet = service.siwe_link(session, context.settings, user, body.message, body.signature)
        return WalletOut.model_validate(wallet)
    return _token_pair(service.siwe_log_in(session, context.settings, body.message, body.signature))


@router.post("/users/{user_id}/roles", summary="Grant a role (admins)",
             responses=problem_responses(Unauthenticated, Forbidden, UserNotFound, ValidationFailed))
def grant_role(user_id: UserId, body: RoleGrant, session: SessionDep, _admin: AdminUser) -> UserOut:
    return UserOut.model_validate(service.grant_role(session, user_id, body.role))


@router.delete("/users/{user_id}/roles/{role}", summary="Revoke a role (admins; not their own admin role)",
               responses=problem_responses(Unauthenticated, Forbidden, UserNotFound, RoleChangeRefused,
                                           ValidationFailed))
def revoke_role(user_id: UserId, role: Annotated[Role, Path(description="The role to take away")],
                session: SessionDep, admin: AdminUser) -> UserOut:
    return UserOut.model_validate(service.revoke_role(session, admin, user_id, role))
