"""Payee invitations: the invitee takes over the wallet held for them (see `identity.invitations`)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ContextDep, CurrentUser, SessionDep
from api.errors import problem_responses
from harmoni.errors import ValidationFailed
from identity import invitations
from identity.errors import (
    InvalidToken,
    InvitationExpired,
    InvitationNotFound,
    InvitationNotYours,
    InvitationUsed,
    Unauthenticated,
)
from identity.schemas import AcceptedInvitationOut, InvitationAccept, WalletOut

router = APIRouter(prefix="/v1/invitations", tags=["invitations"])


# The token travels in the body, not the path: request paths are written to the access log.
@router.post("/accept", summary="Accept a payee invitation: its wallet becomes yours (any signed-in user with the "
                                "invited e-mail address)",
             responses=problem_responses(Unauthenticated, InvalidToken, InvitationNotYours, InvitationNotFound,
                                         InvitationUsed, InvitationExpired, ValidationFailed))
def accept_invitation(body: InvitationAccept, session: SessionDep, context: ContextDep,
                      user: CurrentUser) -> AcceptedInvitationOut:
    invitation, wallet = invitations.accept(session, context.settings, user, body.token)
    return AcceptedInvitationOut(email=invitation.email, accepted_at=invitation.accepted_at,
                                 wallet=WalletOut.model_validate(wallet))
