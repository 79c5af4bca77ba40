"""The social API: profiles and the graph, likes and reposts, posts, comments and reactions, feeds, direct
messages, reports and the moderation queue. Thin: every decision is in `social/`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import ContextDep, CurrentUser, OptionalUser, SessionDep, require_roles
from api.errors import problem_responses
from api.social.deps import MessageWriter, SocialWriter
from harmoni.errors import ValidationFailed
from identity.errors import Forbidden, InvalidToken, Unauthenticated
from identity.models import Role, User
from social import feed, graph, messages, moderation, posts, service, subjects, views
from social.errors import (
    AccountSuspended,
    Blocked,
    HandleTaken,
    InvalidCursor,
    MessagesRefused,
    NotVisible,
    RateLimited,
    ReportNotFound,
    SubjectNotFound,
    WordFiltered,
)
from social.posts import Attachment
from social.schemas import (
    AccountOut,
    AccountPageOut,
    ActivityPageOut,
    CommentIn,
    CommentOut,
    ConversationOut,
    Counts,
    EdgeOut,
    Emoji,
    FeedPageOut,
    Folder,
    LikeSubject,
    MessageIn,
    MessageOut,
    MessagePageOut,
    ModerationIn,
    PostEditIn,
    PostIn,
    PostOut,
    ReactionSubject,
    ReadOut,
    RecordingSocialOut,
    Relationship,
    ReportIn,
    ReportOut,
    ReportStatusFilter,
    RepostIn,
    RepostOut,
    RevisionOut,
    SocialProfileIn,
    SocialProfileOut,
    ThreadPageOut,
)

router = APIRouter(prefix="/v1", tags=["social"])
AdminUser = Annotated[User, require_roles(Role.admin)]
_READ = (InvalidToken, ValidationFailed, InvalidCursor)  # reads: a bearer token sent along must be valid
_SIGNED_IN = (Unauthenticated, InvalidToken)
_WRITE = (*_SIGNED_IN, AccountSuspended, RateLimited, ValidationFailed)
UserId = Annotated[uuid.UUID, Path(description="An account's id")]
PostId = Annotated[uuid.UUID, Path(description="A post's id")]
CommentId = Annotated[uuid.UUID, Path(description="A comment's id")]
ConversationId = Annotated[uuid.UUID, Path(description="A conversation's id")]
AssetId = Annotated[int, Path(ge=0, lt=2**63, description="The recording's asset id")]
Cursor = Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=100)]


# --- profile and graph ----------------------------------------------------------------------------------------

@router.put("/me/social-profile", summary="Set your handle (for @mentions) and who may message you (signed in)",
            responses=problem_responses(*_WRITE, HandleTaken))
def put_social_profile(body: SocialProfileIn, session: SessionDep, user: SocialWriter) -> SocialProfileOut:
    return SocialProfileOut.model_validate(posts.set_profile(session, user.id, body.handle,
                                                             body.dm_policy.value if body.dm_policy else None))


@router.get("/accounts/{user_id}", summary="An account's handle, counts, and how it relates to you (public)",
            responses=problem_responses(*_READ, SubjectNotFound))
def get_account(user_id: UserId, session: SessionDep, viewer: OptionalUser) -> AccountOut:
    from social import repository

    if not repository.user_exists(session, user_id):
        raise SubjectNotFound(f"no account {user_id}", field="user_id")
    relation = graph.relationship(session, viewer.id, user_id) if viewer and viewer.id != user_id else None
    return AccountOut(user_id=user_id, handle=repository.handles(session, [user_id]).get(user_id),
                      counts=Counts(**service.account_counts(session, user_id)),
                      relationship=Relationship(**relation) if relation else None)


def _edge(name: str, add, remove):
    """PUT and DELETE of one kind of edge from the caller to an account."""

    @router.put(f"/accounts/{{user_id}}/{name}", summary=f"{name.capitalize()} an account; again: no change "
                                                         "(signed in)",
                responses=problem_responses(*_WRITE, SubjectNotFound, Blocked), operation_id=f"put_{name}")
    def put(user_id: UserId, session: SessionDep, context: ContextDep, user: SocialWriter) -> EdgeOut:
        return EdgeOut(active=True, changed=add(session, context.settings, user, user_id))

    @router.delete(f"/accounts/{{user_id}}/{name}", summary=f"Un{name} an account; again: no change (signed in)",
                   responses=problem_responses(*_WRITE), operation_id=f"delete_{name}")
    def delete(user_id: UserId, session: SessionDep, context: ContextDep, user: SocialWriter) -> EdgeOut:
        return EdgeOut(active=False, changed=remove(session, context.settings, user, user_id))


_edge("follow", service.follow, service.unfollow)
_edge("block", service.block, service.unblock)
_edge("mute", service.mute, service.unmute)


@router.get("/accounts/{user_id}/followers", summary="Who follows an account, newest first (public)",
            responses=problem_responses(*_READ, SubjectNotFound))
def followers(user_id: UserId, session: SessionDep, viewer: OptionalUser, cursor: Cursor = None,
              limit: Limit = 50) -> AccountPageOut:
    page = graph.accounts(session, user_id, "followers", viewer.id if viewer else None, cursor, limit)
    return AccountPageOut.model_validate(page, from_attributes=True)


@router.get("/accounts/{user_id}/following", summary="Whom an account follows, newest first (public)",
            responses=problem_responses(*_READ, SubjectNotFound))
def following(user_id: UserId, session: SessionDep, viewer: OptionalUser, cursor: Cursor = None,
              limit: Limit = 50) -> AccountPageOut:
    page = graph.accounts(session, user_id, "following", viewer.id if viewer else None, cursor, limit)
    return AccountPageOut.model_validate(page, from_attributes=True)


@router.get("/accounts/{user_id}/timeline", summary="An account's posts, reposts and releases you may see (public)",
            responses=problem_responses(*_READ, SubjectNotFound))
def timeline(user_id: UserId, session: SessionDep, context: ContextDep, viewer: OptionalUser, cursor: Cursor = None,
             limit: Limit = 30) -> FeedPageOut:
    page = feed.timeline(session, context.settings, viewer.id if viewer else None, user_id, cursor, limit)
    return views.feed_out(session, page)


# --- likes and reposts ----------------------------------------------------------------------------------------

SubjectId = Annotated[str, Path(max_length=64, description="asset id, edition id or post id")]
LikeSubjectType = Annotated[LikeSubject, Path(description="What is liked or reposted: a recording, an edition or "
                                                          "a post")]


@router.put("/likes/{subject_type}/{subject_id}", summary="Like (save) a recording, edition or post (signed in)",
            responses=problem_responses(*_WRITE, SubjectNotFound, NotVisible))
def put_like(subject_type: LikeSubjectType, subject_id: SubjectId, session: SessionDep, context: ContextDep,
             user: SocialWriter) -> EdgeOut:
    key = subjects.canonical_id(subject_type.value, subject_id)
    return EdgeOut(active=True, changed=graph.like(session, context.settings, user.id, subject_type.value, key))


@router.delete("/likes/{subject_type}/{subject_id}", summary="Remove a like (signed in)",
               responses=problem_responses(*_WRITE, SubjectNotFound))
def delete_like(subject_type: LikeSubjectType, subject_id: SubjectId, session: SessionDep,
                user: SocialWriter) -> EdgeOut:
    key = subjects.canonical_id(subject_type.value, subject_id)
    return EdgeOut(active=False, changed=graph.unlike(session, user.id, subject_type.value, key))


@router.put("/reposts/{subject_type}/{subject_id}", summary="Repost a recording, edition or post, with an optional "
                                                            "comment (signed in)",
            responses=problem_responses(*_WRITE, SubjectNotFound, NotVisible))
def put_repost(subject_type: LikeSubjectType, subject_id: SubjectId, session: SessionDep, context: ContextDep,
               user: SocialWriter, body: RepostIn | None = None) -> RepostOut:
    key = subjects.canonical_id(subject_type.value, subject_id)
    row, created = graph.repost(session, context.settings, user.id, subject_type.value, key,
                                body.comment if body else None)
    return RepostOut(id=row.id, subject_type=row.subject_type, subject_id=row.subject_id, comment=row.comment,
                     created_at=row.created_at, changed=created)


@router.delete("/reposts/{subject_type}/{subject_id}", summary="Remove a repost (signed in)",
               responses=problem_responses(*_WRITE, SubjectNotFound))
def delete_repost(subject_type: LikeSubjectType, subject_id: SubjectId, session: SessionDep, context: ContextDep,
                  user: SocialWriter) -> EdgeOut:
    key = subjects.canonical_id(subject_type.value, subject_id)
    return EdgeOut(active=False, changed=service.unrepost(session, context.settings, user, subject_type.value, key))


# --- posts, comments, reactions -------------------------------------------------------------------------------

@router.post("/posts", status_code=201, summary="Write a post (artists; fans too when the platform allows it)",
             responses=problem_responses(*_WRITE, Forbidden, SubjectNotFound, WordFiltered),
             openapi_extra={"requestBody": {"content": {"application/json": {"example": {
                 "text": "New single out Friday! @mira_keys on piano #bluehour https://harmoni.music",
                 "visibility": "public", "attachments": [{"type": "recording", "id": "7"}]}}}}})
def create_post(body: PostIn, session: SessionDep, context: ContextDep, user: SocialWriter) -> PostOut:
    row = posts.create_post(session, context.settings, user, body.text, body.visibility.value, body.edition_id,
                            [Attachment(a.type, a.id) for a in body.attachments])
    return views.post_out(session, row)


@router.get("/posts/{post_id}", summary="A post, if you may see it (public; followers-only and holders-only posts "
                                        "need a token)",
            responses=problem_responses(*_READ, SubjectNotFound, NotVisible))
def get_post(post_id: PostId, session: SessionDep, context: ContextDep, viewer: OptionalUser) -> PostOut:
    return views.post_out(session, posts.visible_post(session, context.settings, viewer.id if viewer else None,
                                                      post_id))


@router.patch("/posts/{post_id}", summary="Edit your post's text; the old text is kept as a revision (its author)",
              responses=problem_responses(*_WRITE, Forbidden, SubjectNotFound, WordFiltered))
def edit_post(post_id: PostId, body: PostEditIn, session: SessionDep, context: ContextDep,
              user: SocialWriter) -> PostOut:
    return views.post_out(session, posts.edit_post(session, context.settings, user, post_id, body.text))


@router.delete("/posts/{post_id}", status_code=204, summary="Delete your post and its history (its author)",
               responses=problem_responses(*_WRITE, Forbidden, SubjectNotFound))
def delete_post(post_id: PostId, session: SessionDep, context: ContextDep, user: SocialWriter) -> None:
    service.delete_post(session, context.settings, user, post_id)


@router.get("/posts/{post_id}/revisions", summary="A post's earlier texts, oldest first (whoever may see the post)",
            responses=problem_responses(*_READ, SubjectNotFound, NotVisible))
def post_revisions(post_id: PostId, session: SessionDep, context: ContextDep,
                   viewer: OptionalUser) -> list[RevisionOut]:
    rows = posts.revisions(session, context.settings, viewer.id if viewer else None, post_id)
    return [RevisionOut.model_validate(r) for r in rows]


@router.get("/posts/{post_id}/comments", summary="A post's comment threads, oldest first (whoever may see the post)",
            responses=problem_responses(*_READ, SubjectNotFound, NotVisible))
def post_comments(post_id: PostId, session: SessionDep, context: ContextDep, viewer: OptionalUser,
                  cursor: Cursor = None, limit: Limit = 20) -> ThreadPageOut:
    threads, next_cursor = posts.threads(session, context.settings, viewer.id if viewer else None, "post",
                                         str(post_id), cursor, limit)
    return views.threads_out(session, threads, next_cursor)


@router.post("/posts/{post_id}/comments", status_code=201, summary="Comment on a post or reply to a comment "
                                                                   "(signed in)",
             responses=problem_responses(*_WRITE, SubjectNotFound, NotVisible, Blocked, WordFiltered))
def comment_post(post_id: PostId, body: CommentIn, session: SessionDep, context: ContextDep,
                 user: SocialWriter) -> CommentOut:
    row = posts.add_comment(session, context.settings, user, "post", str(post_id), body.text, body.parent_id, body.at)
    return views.comments_out(session, [row])[0]


@router.get("/recordings/{asset_id}/comments", summary="A recording's comment threads, oldest first (public)",
            responses=problem_responses(*_READ, SubjectNotFound))
def recording_comments(asset_id: AssetId, session: SessionDep, context: ContextDep, viewer: OptionalUser,
                       cursor: Cursor = None, limit: Limit = 20) -> ThreadPageOut:
    threads, next_cursor = posts.threads(session, context.settings, viewer.id if viewer else None, "recording",
                                         str(asset_id), cursor, limit)
    return views.threads_out(session, threads, next_cursor)


@router.post("/recordings/{asset_id}/comments", status_code=201,
             summary="Comment on a recording, maybe at a moment of the track (\"at 1:32\") (signed in)",
             responses=problem_responses(*_WRITE, SubjectNotFound, Blocked, WordFiltered),
             openapi_extra={"requestBody": {"content": {"application/json": {"example": {
                 "text": "That key change!", "at": "at 1:32"}}}}})
def comment_recording(asset_id: AssetId, body: CommentIn, session: SessionDep, context: ContextDep,
                      user: SocialWriter) -> CommentOut:
    row = posts.add_comment(session, context.settings, user, "recording", str(asset_id), body.text, body.parent_id,
                            body.at)
    return views.comments_out(session, [row])[0]


@router.delete("/comments/{comment_id}", status_code=204, summary="Delete your comment (its author)",
               responses=problem_responses(*_WRITE, Forbidden, SubjectNotFound))
def delete_comment(comment_id: CommentId, session: SessionDep, user: SocialWriter) -> None:
    posts.delete_comment(session, user, comment_id)


@router.get("/recordings/{asset_id}/activity", summary="Comments, likes and reposts of a recording, newest first "
                                                       "(public)",
            responses=problem_responses(*_READ, SubjectNotFound))
def recording_activity(asset_id: AssetId, session: SessionDep, context: ContextDep, viewer: OptionalUser,
                       cursor: Cursor = None, limit: Limit = 30) -> ActivityPageOut:
    items, next_cursor = feed.recording_activity(session, context.settings, viewer.id if viewer else None, asset_id,
                                                 cursor, limit)
    return ActivityPageOut.model_validate({"items": items, "next_cursor": next_cursor}, from_attributes=True)


@router.get("/recordings/{asset_id}/social", summary="A recording's likes, reposts and comments counts, its artist's "
                                                     "account, and whether you liked or reposted it (public)",
            responses=problem_responses(*_READ, SubjectNotFound))
def recording_social(asset_id: AssetId, session: SessionDep, context: ContextDep,
                     viewer: OptionalUser) -> RecordingSocialOut:
    return RecordingSocialOut.model_validate(service.recording_social(session, context.settings,
                                                                      viewer.id if viewer else None, asset_id))


ReactionTarget = Annotated[uuid.UUID, Path(description="The post's or comment's id")]
ReactionSubjectType = Annotated[ReactionSubject, Path(description="What is reacted to: a post or a comment")]
ReactionEmoji = Annotated[Emoji, Path(description="The reaction, by name")]


@router.put("/reactions/{subject_type}/{subject_id}/{emoji}", summary="React to a post or comment (signed in)",
            responses=problem_responses(*_WRITE, SubjectNotFound, NotVisible, Blocked))
def put_reaction(subject_type: ReactionSubjectType, subject_id: ReactionTarget, emoji: ReactionEmoji,
                 session: SessionDep, context: ContextDep, user: SocialWriter) -> EdgeOut:
    return EdgeOut(active=True, changed=posts.react(session, context.settings, user.id, subject_type.value,
                                                    subject_id, emoji.value))


@router.delete("/reactions/{subject_type}/{subject_id}/{emoji}", summary="Remove a reaction (signed in)",
               responses=problem_responses(*_WRITE))
def delete_reaction(subject_type: ReactionSubjectType, subject_id: ReactionTarget, emoji: ReactionEmoji,
                    session: SessionDep, user: SocialWriter) -> EdgeOut:
    return EdgeOut(active=False, changed=posts.unreact(session, user.id, subject_type.value, subject_id, emoji.value))


# --- feed -----------------------------------------------------------------------------------------------------

@router.get("/me/feed", summary="Your home feed: followed accounts' posts, releases and reposts, newest first "
                                "(signed in)",
            responses=problem_responses(*_SIGNED_IN, ValidationFailed, InvalidCursor))
def home_feed(session: SessionDep, context: ContextDep, user: CurrentUser, cursor: Cursor = None,
              limit: Limit = 30) -> FeedPageOut:
    return views.feed_out(session, feed.home(session, context.settings, user.id, cursor, limit))


# --- direct messages ------------------------------------------------------------------------------------------

@router.post("/messages", status_code=201, summary="Send a direct message; strangers' land among the recipient's "
                                                   "requests (signed in)",
             responses=problem_responses(*_WRITE, SubjectNotFound, Blocked, MessagesRefused, WordFiltered))
def send_message(body: MessageIn, session: SessionDep, context: ContextDep, user: MessageWriter) -> MessageOut:
    return MessageOut.model_validate(messages.send(session, context.settings, user, body.recipient_id, body.text))


@router.get("/me/conversations", summary="Your conversations, in the inbox or among requests (signed in)",
            responses=problem_responses(*_SIGNED_IN, ValidationFailed))
def conversations(session: SessionDep, user: CurrentUser, folder: Folder = Folder.inbox,
                  limit: Limit = 50) -> list[ConversationOut]:
    return [ConversationOut(id=v.conversation.id, other_id=v.other_id, folder=v.folder, unread=v.unread,
                            last_message=MessageOut.model_validate(v.last_message) if v.last_message else None)
            for v in messages.conversations(session, user.id, folder.value, limit)]


@router.get("/conversations/{conversation_id}/messages", summary="A conversation's messages, newest first, with the "
                                                                 "other side's read receipt (its members)",
            responses=problem_responses(*_SIGNED_IN, ValidationFailed, InvalidCursor, SubjectNotFound))
def conversation_messages(conversation_id: ConversationId, session: SessionDep, user: CurrentUser,
                          cursor: Cursor = None, limit: Limit = 50) -> MessagePageOut:
    page = messages.read_messages(session, user.id, conversation_id, cursor, limit)
    return MessagePageOut(items=[MessageOut.model_validate(m) for m in page.messages], other_id=page.other_id,
                          other_read_at=page.other_read_at, next_cursor=page.next_cursor)


@router.post("/conversations/{conversation_id}/read", summary="Mark everything in a conversation read (its members)",
             responses=problem_responses(*_WRITE, SubjectNotFound))
def read_conversation(conversation_id: ConversationId, session: SessionDep, user: SocialWriter) -> ReadOut:
    return ReadOut(last_read_at=messages.mark_read(session, user.id, conversation_id))


@router.post("/conversations/{conversation_id}/accept", status_code=204,
             summary="Accept a message request: the conversation moves to your inbox (its members)",
             responses=problem_responses(*_WRITE, SubjectNotFound))
def accept_conversation(conversation_id: ConversationId, session: SessionDep, user: SocialWriter) -> None:
    messages.accept(session, user.id, conversation_id)


# --- reports and moderation -----------------------------------------------------------------------------------

@router.post("/reports", status_code=201, summary="Report a post, comment, message or account (signed in)",
             responses=problem_responses(*_WRITE, SubjectNotFound))
def file_report(body: ReportIn, session: SessionDep, user: SocialWriter) -> ReportOut:
    return ReportOut.model_validate(moderation.report(session, user.id, body.subject_type.value, body.subject_id,
                                                      body.reason))


@router.get("/admin/reports", summary="The moderation queue, oldest first (admins)",
            responses=problem_responses(*_SIGNED_IN, Forbidden, ValidationFailed))
def report_queue(session: SessionDep, _admin: AdminUser, status: ReportStatusFilter = ReportStatusFilter.open,
                 limit: Limit = 50) -> list[ReportOut]:
    return [ReportOut.model_validate(r) for r in moderation.queue(session, status.value, limit)]


@router.post("/admin/reports/{report_id}/actions", summary="Act on a report: hide, delete, suspend the author, or "
                                                           "dismiss (admins)",
             responses=problem_responses(*_SIGNED_IN, Forbidden, ValidationFailed, ReportNotFound))
def act_on_report(report_id: Annotated[uuid.UUID, Path(description="The report's id")], body: ModerationIn,
                  session: SessionDep, context: ContextDep, admin: AdminUser) -> ReportOut:
    return ReportOut.model_validate(moderation.act(session, context.settings, admin, report_id, body.action.value))
