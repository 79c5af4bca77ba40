import { useQuery } from '@tanstack/react-query'
import { useEffect, useMemo, useState, type FormEvent } from 'react'
import { useParams, useSearchParams } from 'react-router'

import { t } from '../app/strings'
import { useChainInfo } from '../api/chain'
import { hasRole, useSession } from '../api/session'
import { statementUrl, usePeriod, useStatement } from '../api/royalties'
import { Empty, ErrorState, Loading } from '../components/states'
import { formatUnits } from '../lib/format'
import { Checks } from './Checks'
import { readPeriodPublished } from './onchain'
import { ProofCheck } from './ProofCheck'
import { ServerAudit } from './ServerAudit'
import { parseStatement, periodChecks, rebuildTree, sha256, type Hex, type Statement } from './verify'

function useStatementHash(bytes: Uint8Array | undefined): Hex | null {
  const [hash, setHash] = useState<Hex | null>(null)
  useEffect(() => {
    let live = true
    setHash(null)
    if (bytes) void sha256(bytes).then((h) => live && setHash(h))
    return () => { live = false }
  }, [bytes])
  return hash
}

function Verification({ periodId, statement, bytes }: { periodId: number; statement: Statement; bytes: Uint8Array }) {
  const [params, setParams] = useSearchParams()
  const session = useSession()
  const chainInfo = useChainInfo()
  const [rpcInput, setRpcInput] = useState(params.get('rpc') ?? '')
  const rpc = params.get('rpc') || chainInfo.data?.rpc_url || ''
  const hash = useStatementHash(bytes)
  const tree = useMemo(() => rebuildTree(statement), [statement])
  const reading = useQuery({
    queryKey: ['chain', 'PeriodPublished', { rpc, distributor: statement.context.distributor, period: periodId }],
    queryFn: () => readPeriodPublished(rpc, statement.context.distributor, periodId,
      BigInt(statement.context.cut.block)),
    enabled: !!rpc,
    retry: false,
  })

  function applyRpc(event: FormEvent) {
    event.preventDefault()
    const next = new URLSearchParams(params)
    if (rpcInput.trim()) next.set('rpc', rpcInput.trim())
    else next.delete('rpc')
    setParams(next, { replace: true })
  }
  const setAccount = (account: string) => {
    const next = new URLSearchParams(params)
    next.set('account', account)
    setParams(next, { replace: true })
  }

  return (
    <>
      <form className="filters" onSubmit={applyRpc}>
        <label htmlFor="audit-rpc">{t.audit.rpc}</label>
        <input id="audit-rpc" className="mono" type="url" placeholder={chainInfo.data?.rpc_url ?? 'https://…'}
          value={rpcInput} onChange={(e) => setRpcInput(e.target.value)} aria-describedby="audit-rpc-hint" />
        <button type="submit">{t.audit.reread}</button>
        <p id="audit-rpc-hint" className="hint">
          {chainInfo.isSuccess && !chainInfo.data.rpc_url && !params.get('rpc') ? t.audit.noRpc : t.audit.rpcHint}
          {rpc && <> <span className="mono">{rpc}</span></>}
        </p>
      </form>
      {!rpc ? null : reading.isPending || !hash ? <Loading label={t.audit.checking} /> : reading.isError ? (
        <ErrorState error={reading.error} onRetry={() => void reading.refetch()} />
      ) : (
        <>
          <Checks checks={periodChecks(statement, hash, reading.data.event, reading.data.chainId)} />
          {(reading.data.event || tree) && (
            <ProofCheck root={reading.data.event?.root ?? tree!.root} tree={tree}
              initialAccount={params.get('account') ?? ''} onAccount={setAccount} />
          )}
        </>
      )}
      <h2>{t.audit.payees}</h2>
      <table>
        <thead><tr><th scope="col">{t.audit.proofAccount}</th><th scope="col">{t.earnings.amount}</th>
          <th scope="col">{t.audit.proofAmount}</th></tr></thead>
        <tbody>
          {statement.payees.map((p) => (
            <tr key={p.account}>
              <td className="mono">{p.account}</td><td>{formatUnits(p.amount)}</td><td className="mono">{p.cumulative}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {hasRole(session, 'auditor', 'admin') && <ServerAudit periodId={periodId} />}
      <h2>{t.audit.downloads}</h2>
      <ul>
        <li><a href={statementUrl(periodId, 'json')} download>{t.audit.statementJson}</a></li>
        <li><a href={statementUrl(periodId, 'csv')} download>{t.audit.statementCsv}</a></li>
      </ul>
    </>
  )
}

export function PeriodPage() {
  const periodId = Number(useParams().periodId)
  const valid = Number.isInteger(periodId) && periodId >= 1
  const period = usePeriod(valid ? periodId : 0)
  const settled = period.data?.status === 'closed' || period.data?.status === 'published'
  const bytes = useStatement(periodId, valid && settled)
  const statement = useMemo(() => {
    if (!bytes.data) return null
    try {
      return { ok: parseStatement(bytes.data) } as const
    } catch (err) {
      return { error: err } as const
    }
  }, [bytes.data])

  if (!valid) return <Empty>{t.states.missing}</Empty>
  return (
    <section>
      <h1>{t.audit.title(periodId)}</h1>
      <p>{t.audit.intro}</p>
      {period.isPending ? <Loading /> : period.isError ? (
        <ErrorState error={period.error} onRetry={() => void period.refetch()} />
      ) : !settled ? <Empty>{t.audit.notClosed}</Empty> : bytes.isPending ? <Loading /> : bytes.isError ? (
        <ErrorState error={bytes.error} onRetry={() => void bytes.refetch()} />
      ) : statement && 'error' in statement ? <ErrorState error={statement.error} /> : statement ? (
        <Verification periodId={periodId} statement={statement.ok} bytes={bytes.data} />
      ) : null}
    </section>
  )
}
