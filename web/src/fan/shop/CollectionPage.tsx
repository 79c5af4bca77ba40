import { Link } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import { useCollection } from '../../api/editions'
import { Empty, ErrorState, Loading } from '../../components/states'
import { short } from '../../lib/format'

export function CollectionPage() {
  const collection = useCollection()
  return (
    <section>
      <h1>{t.collection.title}</h1>
      <p><Link to={paths.receipts.to()}>{t.collection.receipts}</Link></p>
      {collection.isPending ? <Loading /> : collection.isError ? (
        <ErrorState error={collection.error} onRetry={() => void collection.refetch()} />
      ) : collection.data.data.length === 0 ? (
        <Empty>{t.collection.empty} <Link to={paths.shop.to()}>{t.collection.toShop}</Link></Empty>
      ) : (
        <table>
          <thead><tr>
            <th scope="col">{t.collection.edition}</th><th scope="col">{t.collection.wallet}</th>
            <th scope="col">{t.collection.balance}</th>
          </tr></thead>
          <tbody>
            {collection.data.data.map((h) => (
              <tr key={`${h.wallet}-${h.edition.edition_id}`}>
                <td><Link to={paths.edition.to(h.edition.edition_id)}>{t.shop.edition(h.edition.edition_id)}</Link></td>
                <td className="mono" title={h.wallet}>{short(h.wallet)}</td>
                <td>{h.balance}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
