import { t } from '../../app/strings'
import { useRelated } from '../../api/discovery'
import { Empty, ErrorState, Loading } from '../../components/states'
import { RecordingCards } from './Rows'

export function RelatedTracks({ assetId }: { assetId: number }) {
  const related = useRelated(assetId)
  return (
    <section aria-labelledby="related-title">
      <h2 id="related-title">{t.discover.related}</h2>
      {related.isPending ? <Loading /> : related.isError ? <ErrorState error={related.error} />
        : related.data.items.length === 0 ? <Empty>{t.discover.noRelated}</Empty> : <RecordingCards items={related.data.items} />}
    </section>
  )
}
