import { useState } from 'react'
import { Link } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import { useOperation } from '../api/rights'
import { useClaim, useClaims, useEarnings } from '../api/royalties'
import { Empty, ErrorState, Loading } from '../components/states'
import { formatUnits, short } from '../lib/format'

function ClaimButton({ account, claimable }: { account: string; claimable: string }) {
  const claim = useClaim()
  const [operationId, setOperationId] = useState<string | null>(null)
  const operation = useOperation(operationId)
  if (operationId) {
    const status = operation.data?.status
    return <span role="status">{status === 'confirmed' ? t.earnings.claimDone : status === 'failed'
      ? (operation.data?.error ?? status) : t.earnings.claiming}</span>
  }
  return (
    <>
      <button type="button" disabled={claim.isPending || BigInt(claimable) === 0n}
        aria-label={t.earnings.claim(short(account))}
        onClick={() => claim.mutate(account, { onSuccess: (op) => setOperationId(op.id) })}>
        {t.earnings.claimShort}
      </button>
      {claim.isError && <ErrorState error={claim.error} />}
    </>
  )
}

export function EarningsPage() {
  const earnings = useEarnings()
  const claims = useClaims()
  if (earnings.isPending) return <Loading />
  if (earnings.isError) return <ErrorState error={earnings.error} onRetry={() => void earnings.refetch()} />
  const { accounts, periods, token } = earnings.data
  return (
    <section>
      <h1>{t.earnings.title}</h1>
      <p className="muted mono">{t.earnings.token(token)}</p>
      {periods.length === 0 && <Empty>{t.earnings.empty}</Empty>}
      <p className="muted">{t.earnings.invited} <Link to={paths.acceptInvitation.to()}>{t.earnings.acceptInvitation}</Link></p>
      {accounts.length > 0 && (
        <>
          <h2>{t.earnings.accounts}</h2>
          <table>
            <thead><tr>
              <th scope="col">{t.earnings.account}</th><th scope="col">{t.earnings.earned}</th>
              <th scope="col">{t.earnings.claimable}</th><th scope="col">{t.earnings.claimed}</th><th />
            </tr></thead>
            <tbody>
              {accounts.map((a) => (
                <tr key={a.account}>
                  <td className="mono" title={a.account}>{short(a.account)}</td>
                  <td>{formatUnits(a.earned)}</td><td>{formatUnits(a.claimable)}</td><td>{formatUnits(a.claimed)}</td>
                  <td><ClaimButton account={a.account} claimable={a.claimable} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {periods.length > 0 && (
        <>
          <h2>{t.earnings.periods}</h2>
          <table>
            <thead><tr>
              <th scope="col">{t.earnings.period}</th><th scope="col">{t.earnings.account}</th>
              <th scope="col">{t.earnings.amount}</th><th scope="col">{t.earnings.status}</th>
            </tr></thead>
            <tbody>
              {periods.map((p) => (
                <tr key={`${p.period_id}-${p.account}`}>
                  <td>{p.period_id}</td><td className="mono" title={p.account}>{short(p.account)}</td>
                  <td>{formatUnits(p.amount)}</td><td>{p.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h2>{t.earnings.history}</h2>
      {claims.isPending ? <Loading /> : claims.isError ? <ErrorState error={claims.error} /> :
        claims.data.history.length === 0 ? <p className="muted">{t.earnings.noClaims}</p> : (
          <ul>
            {claims.data.history.map((c) => (
              <li key={c.tx_hash}>
                <span className="mono">{short(c.account)}</span>: {formatUnits(c.amount)} —{' '}
                <span className="mono" title={c.tx_hash}>{short(c.tx_hash)}</span>
              </li>
            ))}
          </ul>
        )}
    </section>
  )
}
