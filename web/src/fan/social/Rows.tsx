import { t } from '../../app/strings'
import { useRecommendations, useTrending, type Recommended } from '../../api/discovery'
import { Empty, ErrorState, Loading } from '../../components/states'
import { short } from '../../lib/format'
import { RecordingLink } from './RecordingLink'

function Row({ title, children }: { title: string; children: React.ReactNode }) {
  const id = `row-${title.replace(/\W+/g, '-').toLowerCase()}`
  return (
    <section className="row-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  )
}

export function TrendingTracks() {
  const trending = useTrending('recording')
  return (
    <Row title={t.discover.trendingTracks}>
      {trending.isPending ? <Loading /> : trending.isError ? <ErrorState error={trending.error} />
        : trending.data.items.length === 0 ? <Empty>{t.discover.nothingTrending}</Empty> : (
          <ol className="cards">
            {trending.data.items.map((item) => item.asset_id != null && (
              <li key={item.asset_id} className="card">
                <RecordingLink assetId={item.asset_id} title={item.title} />
                <span className="muted">{t.discover.listeners(item.listeners)}</span>
              </li>
            ))}
          </ol>
        )}
    </Row>
  )
}

export function TrendingArtists() {
  const trending = useTrending('artist')
  return (
    <Row title={t.discover.trendingArtists}>
      {trending.isPending ? <Loading /> : trending.isError ? <ErrorState error={trending.error} />
        : trending.data.items.length === 0 ? <Empty>{t.discover.nothingTrending}</Empty> : (
          <ol className="cards">
            {trending.data.items.map((item) => item.artist && (
              <li key={item.artist} className="card">
                <span className="mono" title={item.artist}>{short(item.artist)}</span>
                <span className="muted">{t.discover.listeners(item.listeners)}</span>
              </li>
            ))}
          </ol>
        )}
    </Row>
  )
}

/** Recordings as cards: title (a link) and artist address. */
export function RecordingCards({ items }: { items: Pick<Recommended, 'asset_id' | 'artist' | 'title'>[] }) {
  return (
    <ul className="cards">
      {items.map((item) => (
        <li key={item.asset_id} className="card">
          <RecordingLink assetId={item.asset_id} title={item.title} />
          <span className="mono muted" title={item.artist}>{short(item.artist)}</span>
        </li>
      ))}
    </ul>
  )
}

function Recordings({ title, items }: { title: string; items: Recommended[] }) {
  if (items.length === 0) return null
  return <Row title={title}><RecordingCards items={items} /></Row>
}

/** "For you", "New from artists you follow" and "Because you played …", as far as the API has them. */
export function Recommendations() {
  const recommendations = useRecommendations(true)
  if (recommendations.isPending) return <Loading />
  if (recommendations.isError) return <ErrorState error={recommendations.error} />
  const { for_you, new_from_followed, because_you_played, cold_start } = recommendations.data
  return (
    <>
      <Recordings title={t.discover.newFromFollowed} items={new_from_followed} />
      <Recordings title={t.discover.forYou} items={for_you} />
      {cold_start && for_you.length > 0 && <p className="muted">{t.discover.popular}</p>}
      {because_you_played.map((row) => (
        <Recordings key={row.seed_asset_id} items={row.items}
          title={t.discover.becauseYouPlayed(row.seed_title ?? t.feed.recording(row.seed_asset_id))} />
      ))}
    </>
  )
}
