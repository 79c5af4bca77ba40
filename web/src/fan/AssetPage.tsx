import { Link, useParams } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import { useAsset } from '../api/assets'
import { hasRole, useSession } from '../api/session'
import { Empty, ErrorState, Loading } from '../components/states'
import { ppmToPercent, readableCode, short } from '../lib/format'
import { usePlayer } from './player/store'
import { Comments } from './social/Comments'
import { RecordingSocialBar } from './social/RecordingSocial'
import { RelatedTracks } from './social/Related'

/** Play a recording (signed-in listeners): its playback session says when it cannot be streamed. */
function PlayButton({ assetId, title }: { assetId: number; title: string }) {
  const session = useSession()
  const [state, player] = usePlayer()
  if (session.status !== 'signed-in') return null
  const current = state.queue[state.index]?.assetId === assetId
  const playing = current && state.status === 'playing'
  return (
    <div className="play">
      <button type="button" onClick={() => void (current ? player.toggle() : player.playQueue([{ assetId, title }]))}>
        {playing ? t.player.pause : t.player.play}
      </button>
      {current && state.notStreamable && (
        <p className="notice" role="status">{t.player.notStreamable(state.notStreamable)}</p>
      )}
      {current && state.status === 'error' && <p role="alert">{t.player.failed}</p>}
    </div>
  )
}

export function AssetPage() {
  const assetId = Number(useParams().assetId)
  const detail = useAsset(assetId)
  const session = useSession()
  if (!Number.isInteger(assetId) || assetId < 1) return <Empty>{t.states.missing}</Empty>
  if (detail.isPending) return <Loading />
  if (detail.isError) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
  const { data: asset, split_history, controller_history, block } = detail.data
  return (
    <article>
      <h1>{asset.title ?? t.asset.title(asset.asset_id)}</h1>
      <p className="muted">
        {asset.kind === 'work' ? t.catalog.work : t.catalog.recording} · {t.catalog.asOfBlock(block.number)}
      </p>
      {asset.frozen && <p className="notice" role="status">{t.asset.frozen}</p>}
      {hasRole(session, 'artist') && <p><Link to={paths.manage.to(asset.asset_id)}>{t.manage.link}</Link></p>}
      {asset.kind === 'recording' && <PlayButton assetId={asset.asset_id} title={asset.title ?? t.asset.title(asset.asset_id)} />}
      {asset.kind === 'recording' && <RecordingSocialBar assetId={asset.asset_id} />}
      <dl className="facts">
        <dt>{t.asset.code}</dt><dd className="mono">{readableCode(asset.industry_code)}</dd>
        <dt>{t.asset.controller}</dt><dd className="mono">{asset.controller}</dd>
        {asset.pending_controller && (<><dt>{t.asset.pendingController}</dt>
          <dd className="mono">{asset.pending_controller}</dd></>)}
        {asset.content_hash && (<><dt>{t.asset.contentHash}</dt><dd className="mono">{asset.content_hash}</dd></>)}
        <dt>{t.asset.metadata}</dt><dd className="mono">{asset.metadata_uri}</dd>
        <dt>{t.asset.block}</dt><dd>{t.asset.registered(asset.registered.block_number)}</dd>
      </dl>
      <h2>{t.asset.split} <small>{t.asset.version(asset.split.version)}</small></h2>
      {asset.split_locked && <p className="muted">{t.asset.locked}</p>}
      <table>
        <thead><tr><th scope="col">{t.asset.payee}</th><th scope="col">{t.asset.share}</th></tr></thead>
        <tbody>
          {asset.split.recipients.map((recipient, i) => (
            <tr key={recipient}>
              <td className="mono">{recipient}</td>
              <td>{ppmToPercent(asset.split.allocations[i] ?? 0)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t.asset.history}</h2>
      <ol className="history">
        {split_history.map((v) => (
          <li key={v.version}>
            {t.asset.version(v.version)}: {v.recipients.map((r, i) =>
              `${short(r)} ${ppmToPercent(v.allocations[i] ?? 0)}%`).join(', ')} — {t.asset.block} {v.block_number},{' '}
            <span className="mono" title={v.tx_hash}>{short(v.tx_hash)}</span>
          </li>
        ))}
      </ol>
      <h2>{t.asset.controllerHistory}</h2>
      {controller_history.length === 0 ? <p className="muted">{t.asset.none}</p> : (
        <ol className="history">
          {controller_history.map((c) => (
            <li key={`${c.tx_hash}-${c.change}`}>
              {c.change}: <span className="mono">{short(c.previous_controller)}</span> →{' '}
              <span className="mono">{short(c.new_controller)}</span> — {t.asset.block} {c.block_number}
            </li>
          ))}
        </ol>
      )}
      {asset.kind === 'recording' && <Comments assetId={asset.asset_id} title={asset.title ?? t.asset.title(asset.asset_id)} />}
      {asset.kind === 'recording' && <RelatedTracks assetId={asset.asset_id} />}
    </article>
  )
}
