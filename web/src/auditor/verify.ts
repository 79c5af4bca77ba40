/**
 * The auditor's checks, all computed in the browser: the statement's SHA-256, the Merkle tree rebuilt from its
 * payees with `@openzeppelin/merkle-tree` (the format `ledger/merkle.py` writes and `PayoutDistributor` checks),
 * and each against the `PeriodPublished` event read from the chain.
 */
import { StandardMerkleTree } from '@openzeppelin/merkle-tree'

import { t } from '../app/strings'

export const LEAF_ENCODING = ['address', 'uint256']
export type Leaf = [string, string]
export type Hex = `0x${string}`

/** The parts of a `harmoni-statement-v1` document the checks read. */
export interface Statement {
  format: string
  period_id: number
  payees: { account: string; amount: string; cumulative: string }[]
  totals: { allocated: string; cumulative_total: string }
  context: { chain_id: number; distributor: string; previous_root: string; cut: { block: number } }
}

/** What `PeriodPublished` said on chain. */
export interface PublishedEvent {
  root: Hex
  previousRoot: Hex
  cumulativeTotal: bigint
  funded: bigint
  statementHash: Hex
  statementURI: string
  blockNumber: bigint
  transactionHash: Hex
}

export interface Check {
  id: keyof typeof t.audit.check
  passed: boolean
  detail: string
}

export function parseStatement(bytes: Uint8Array): Statement {
  const statement = JSON.parse(new TextDecoder().decode(bytes)) as Statement
  if (statement.format !== 'harmoni-statement-v1' || !Array.isArray(statement.payees))
    throw new Error(`not a harmoni-statement-v1 document (format ${String(statement.format)})`)
  return statement
}

export async function sha256(bytes: Uint8Array): Promise<Hex> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)
  return `0x${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')}`
}

/** The cumulative tree over every payee with something earned so far, as `ledger/royalties/close.py` builds it. */
export function rebuildTree(statement: Statement): StandardMerkleTree<Leaf> | null {
  const leaves: Leaf[] = statement.payees
    .filter((p) => BigInt(p.cumulative) > 0n)
    .map((p) => [p.account, p.cumulative])
  return leaves.length ? StandardMerkleTree.of(leaves, LEAF_ENCODING) : null
}

/** The proof of `account`'s leaf in a rebuilt tree, with its cumulative amount; null when it has no leaf. */
export function proofFor(tree: StandardMerkleTree<Leaf>, account: string): { amount: string; proof: string[] } | null {
  for (const [i, [leafAccount, amount]] of tree.entries()) {
    if (leafAccount.toLowerCase() === account.trim().toLowerCase()) return { amount, proof: tree.getProof(i) }
  }
  return null
}

export type ProofVerdict = 'valid' | 'invalid' | 'unreadable'

/** Whether `proof` proves the leaf (account, cumulative amount) against `root`, independently of any tree. */
export function checkProof(root: string, account: string, amount: string, proof: unknown): ProofVerdict {
  try {
    if (!Array.isArray(proof) || !proof.every((p) => typeof p === 'string' && /^0x[0-9a-fA-F]{64}$/.test(p)))
      return 'unreadable'
    if (!/^0x[0-9a-fA-F]{40}$/.test(account.trim()) || !/^\d+$/.test(amount.trim())) return 'unreadable'
    return StandardMerkleTree.verify(root, LEAF_ENCODING, [account.trim(), amount.trim()], proof as string[])
      ? 'valid' : 'invalid'
  } catch {
    return 'unreadable'
  }
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** Every check of a period: the statement (its bytes and its hash) against the chain's event. */
export function periodChecks(statement: Statement, statementHash: Hex, event: PublishedEvent | null,
  rpcChainId: number | null): Check[] {
  const checks: Check[] = []
  if (rpcChainId !== null)
    checks.push({ id: 'chainId', passed: rpcChainId === statement.context.chain_id,
                  detail: `RPC chain ${rpcChainId}, statement chain ${statement.context.chain_id}` })
  const allocated = statement.payees.reduce((sum, p) => sum + BigInt(p.amount), 0n)
  checks.push({ id: 'allocated', passed: allocated === BigInt(statement.totals.allocated),
                detail: `payees ${allocated}, statement total ${statement.totals.allocated}` })
  const tree = rebuildTree(statement)
  const cumulative = statement.payees.reduce((sum, p) => sum + BigInt(p.cumulative), 0n)
  checks.push({ id: 'published', passed: event !== null,
                detail: event ? `block ${event.blockNumber}, tx ${event.transactionHash}`
                  : `no PeriodPublished for period ${statement.period_id} at ${statement.context.distributor}` })
  if (!event) return checks
  checks.push({ id: 'statementHash', passed: same(statementHash, event.statementHash),
                detail: `computed ${statementHash}, on chain ${event.statementHash}` })
  const root = tree?.root ?? '(no payees)'
  checks.push({ id: 'root', passed: tree !== null && same(tree.root, event.root),
                detail: `rebuilt ${root}, on chain ${event.root}` })
  checks.push({ id: 'total', passed: cumulative === event.cumulativeTotal &&
                  cumulative === BigInt(statement.totals.cumulative_total),
                detail: `payees ${cumulative}, statement ${statement.totals.cumulative_total}, on chain ${event.cumulativeTotal}` })
  checks.push({ id: 'previousRoot', passed: same(statement.context.previous_root, event.previousRoot),
                detail: `statement ${statement.context.previous_root}, on chain ${event.previousRoot}` })
  return checks
}
