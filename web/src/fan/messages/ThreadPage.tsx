import { useEffect, useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import { useReadConversation, useSendMessage, useThread } from '../../api/social'
import { useSession } from '../../api/session'
import { ErrorState, errorMessage, Loading } from '../../components/states'
import { formatDate } from '../../lib/format'
import { useName } from './MessagesPage'

/** One conversation, oldest message first, marked read on opening; "Seen" under what the other side has read. */
export function ThreadPage() {
  const conversationId = useParams().conversationId ?? ''
  const session = useSession()
  const thread = useThread(conversationId)
  const send = useSendMessage()
  const read = useReadConversation()
  const [text, setText] = useState('')
  const otherId = thread.data?.other_id ?? ''
  const who = useName(otherId)
  const markRead = read.mutate
  const newest = thread.data?.items[0]?.id
  useEffect(() => {
    if (newest) markRead(conversationId)
  }, [conversationId, newest, markRead])

  if (thread.isPending) return <Loading />
  if (thread.isError) return <ErrorState error={thread.error} onRetry={() => void thread.refetch()} />
  const me = session.status === 'signed-in' ? session.user.id : null
  const messages = [...thread.data.items].reverse()
  const seenAt = thread.data.other_read_at
  const lastMine = [...messages].reverse().find((m) => m.sender_id === me)

  function submit(event: FormEvent) {
    event.preventDefault()
    send.mutate({ recipient_id: otherId, text: text.trim() }, { onSuccess: () => setText('') })
  }

  return (
    <section>
      <p><Link to={paths.messages.to()}>{t.messages.back}</Link></p>
      <h1>{t.messages.thread(who)}</h1>
      <ol className="feed" aria-label={t.messages.thread(who)}>
        {messages.map((m) => (
          <li key={m.id} className="feed-item">
            <p className="feed-head">{m.sender_id === me ? t.messages.you : who} <span className="muted">· {formatDate(m.created_at)}</span></p>
            <p>{m.text}</p>
            {m.id === lastMine?.id && seenAt && seenAt >= m.created_at && <p className="muted">{t.messages.seen}</p>}
          </li>
        ))}
      </ol>
      <form onSubmit={submit}>
        <label htmlFor="message-text">{t.messages.write}</label>
        <textarea id="message-text" required maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit" disabled={send.isPending || !otherId}>{t.messages.send}</button>
        {send.isError && <p className="form-error" role="alert">{errorMessage(send.error)}</p>}
      </form>
    </section>
  )
}
