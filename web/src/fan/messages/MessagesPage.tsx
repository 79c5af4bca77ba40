import { useQuery } from '@tanstack/react-query'
import { Link, useSearchParams } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import { accountOptions, useAcceptConversation, useConversations, type Conversation, type Folder } from '../../api/social'
import { Empty, ErrorState, errorMessage, Loading } from '../../components/states'
import { formatDate } from '../../lib/format'

/** The other side's @handle, or a neutral name while it loads or when it has none. */
export function useName(userId: string): string {
  const account = useQuery({ ...accountOptions(userId), enabled: userId !== '' })
  return account.data?.handle ? `@${account.data.handle}` : t.feed.someone
}

function Row({ conversation, folder }: { conversation: Conversation; folder: Folder }) {
  const who = useName(conversation.other_id)
  const accept = useAcceptConversation()
  return (
    <li>
      <p className="feed-head">
        <Link to={paths.conversation.to(conversation.id)} aria-label={t.messages.open(who)}>{who}</Link>
        {conversation.unread > 0 && <span className="badge"> · {t.messages.unread(conversation.unread)}</span>}
      </p>
      <p>{conversation.last_message?.text ?? t.messages.noMessage}</p>
      {conversation.last_message && <p className="muted">{formatDate(conversation.last_message.created_at)}</p>}
      {folder === 'requests' && (
        <button type="button" className="secondary" disabled={accept.isPending} onClick={() => accept.mutate(conversation.id)}>
          {t.messages.accept(who)}
        </button>
      )}
      {accept.isError && <p className="form-error" role="alert">{errorMessage(accept.error)}</p>}
    </li>
  )
}

/** Conversations in the inbox, or among requests (the folder is in the URL). */
export function MessagesPage() {
  const [params] = useSearchParams()
  const folder: Folder = params.get('folder') === 'requests' ? 'requests' : 'inbox'
  const conversations = useConversations(folder)
  return (
    <section>
      <h1>{t.messages.title}</h1>
      <nav className="pager" aria-label={t.messages.folders}>
        <Link to={paths.messages.to()} aria-current={folder === 'inbox' ? 'page' : undefined}>{t.messages.inbox}</Link>
        <Link to={paths.messages.to('requests')} aria-current={folder === 'requests' ? 'page' : undefined}>{t.messages.requests}</Link>
      </nav>
      {folder === 'requests' && <p className="muted">{t.messages.requestsIntro}</p>}
      {conversations.isPending ? <Loading /> : conversations.isError ? <ErrorState error={conversations.error} />
        : conversations.data.length === 0 ? <Empty>{t.messages.empty}</Empty> : (
          <ul className="notifications" aria-label={folder === 'inbox' ? t.messages.inbox : t.messages.requests}>
            {conversations.data.map((c) => <Row key={c.id} conversation={c} folder={folder} />)}
          </ul>
        )}
    </section>
  )
}
