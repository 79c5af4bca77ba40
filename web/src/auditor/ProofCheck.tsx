import { useState, type FormEvent } from 'react'
import type { StandardMerkleTree } from '@openzeppelin/merkle-tree'

import { t } from '../app/strings'
import { checkProof, proofFor, type Leaf, type ProofVerdict } from './verify'

interface Props {
  /** The root to check against: the one on chain. */
  root: string
  /** The tree rebuilt from the statement, to fill in a payee's leaf and proof. */
  tree?: StandardMerkleTree<Leaf> | null
  initialAccount?: string
  onAccount?: (account: string) => void
}

/** A payee's leaf and proof, checked against the root with the library's own `verify` (no tree needed). */
export function ProofCheck({ root, tree, initialAccount = '', onAccount }: Props) {
  const filled = tree && initialAccount ? proofFor(tree, initialAccount) : null
  const [account, setAccount] = useState(initialAccount)
  const [amount, setAmount] = useState(filled?.amount ?? '')
  const [proof, setProof] = useState(filled ? JSON.stringify(filled.proof, null, 1) : '')
  const [verdict, setVerdict] = useState<ProofVerdict | null>(null)

  function fill() {
    const found = tree ? proofFor(tree, account) : null
    if (!found) return setVerdict('unreadable')
    setAmount(found.amount)
    setProof(JSON.stringify(found.proof, null, 1))
    setVerdict(null)
  }

  function verify(event: FormEvent) {
    event.preventDefault()
    let parsed: unknown
    try {
      parsed = JSON.parse(proof)
    } catch {
      parsed = null
    }
    setVerdict(checkProof(root, account, amount, parsed))
    onAccount?.(account.trim())
  }

  const edit = <T,>(set: (v: T) => void) => (v: T) => { set(v); setVerdict(null) }

  return (
    <form className="proof" onSubmit={verify} aria-labelledby="proof-title">
      <h2 id="proof-title">{t.audit.proof}</h2>
      <p className="muted mono">{t.audit.proofRoot(root)}</p>
      <label htmlFor="proof-account">{t.audit.proofAccount}</label>
      <input id="proof-account" className="mono" value={account} spellCheck={false} list="proof-payees"
        onChange={(e) => edit(setAccount)(e.target.value)} />
      {tree && (
        <datalist id="proof-payees">
          {[...tree.entries()].map(([i, [payee]]) => <option key={i} value={payee} />)}
        </datalist>
      )}
      <label htmlFor="proof-amount">{t.audit.proofAmount}</label>
      <input id="proof-amount" className="mono" inputMode="numeric" value={amount}
        onChange={(e) => edit(setAmount)(e.target.value)} />
      <label htmlFor="proof-json">{t.audit.proofJson}</label>
      <textarea id="proof-json" className="mono" rows={4} value={proof} spellCheck={false}
        onChange={(e) => edit(setProof)(e.target.value)} />
      <div className="row">
        {tree && <button type="button" className="secondary" onClick={fill}>{t.audit.proofFill}</button>}
        <button type="submit">{t.audit.verify}</button>
      </div>
      <p role="status" aria-live="polite" className={verdict === 'valid' ? 'verdict pass' : verdict ? 'verdict fail' : 'verdict'}>
        {verdict === 'valid' ? `✔ ${t.audit.proofValid}` : verdict === 'invalid' ? `✘ ${t.audit.proofInvalid}`
          : verdict === 'unreadable' ? `✘ ${t.audit.proofUnreadable}` : ''}
      </p>
    </form>
  )
}
