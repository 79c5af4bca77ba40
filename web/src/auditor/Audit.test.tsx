import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { createHash } from 'node:crypto'
import { encodeAbiParameters, encodeEventTopics } from 'viem'
import { describe, expect, it, vi } from 'vitest'

import { signIn } from '../api/session'
import { json, stubFetch, tokenPair, USER, type Handler } from '../test/http'
import { renderApp } from '../test/render'
import { PERIOD_PUBLISHED } from './onchain'
import { ProofCheck } from './ProofCheck'

const ALICE = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65'
const BOB = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
const CAROL = '0x976EA74026E726554dB657fA54763abd0C3a0aa9'
const DISTRIBUTOR = '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9'
const RPC = 'http://127.0.0.1:8545'
const ZERO = `0x${'00'.repeat(32)}`

describe('a payee’s proof', () => {
  const tree = StandardMerkleTree.of([[ALICE, '21000000'], [BOB, '49000000'], [CAROL, '5']], ['address', 'uint256'])
  const proof = tree.getProof([BOB, '49000000'])

  async function check(account: string, amount: string, given: unknown) {
    const user = userEvent.setup()
    render(<ProofCheck root={tree.root} />)
    await user.type(screen.getByLabelText('Payee address'), account)
    await user.type(screen.getByLabelText('Cumulative amount (token units)'), amount)
    // `{` and `[` are keys to user-event: paste the JSON instead
    await user.click(screen.getByLabelText('Proof (JSON array of hashes)'))
    await user.paste(JSON.stringify(given))
    await user.click(screen.getByRole('button', { name: 'Verify proof' }))
    return screen.getByRole('status')
  }

  it('is green for the leaf the tree holds', async () => {
    const verdict = await check(BOB, '49000000', proof)
    expect(verdict).toHaveTextContent('The proof is valid for this root.')
    expect(verdict).toHaveClass('pass')
  })

  it('is red for a tampered amount or a tampered hash', async () => {
    const verdict = await check(BOB, '49000001', proof)
    expect(verdict).toHaveTextContent('The proof does not prove this leaf against this root.')
    expect(verdict).toHaveClass('fail')
  })

  it('is red for a proof with one hash changed', async () => {
    const tampered = [...proof]
    tampered[0] = `0x${(BigInt(tampered[0]!) ^ 1n).toString(16).padStart(64, '0')}`
    expect(await check(BOB, '49000000', tampered)).toHaveClass('fail')
  })
})

function statementOf(payees: { account: string; amount: string; cumulative: string }[]) {
  const allocated = payees.reduce((s, p) => s + BigInt(p.amount), 0n).toString()
  const cumulative = payees.reduce((s, p) => s + BigInt(p.cumulative), 0n).toString()
  return {
    assets: [], context: { chain_id: 31337, currency: 'USD', cut: { block: 40, hash: ZERO, timestamp: 1796083199 },
      distributor: DISTRIBUTOR, previous_root: ZERO, registry: DISTRIBUTOR, subscription_references: [],
      token: DISTRIBUTOR, unit_factor: 10000, window: { ends_at: '', starts_at: '' } },
    fee_bps: 3000, format: 'harmoni-statement-v1', payees, period_id: 1,
    revenue: { direct_sales: '0', partner: '0', subscriptions: '100000000' },
    totals: { allocated, cumulative_total: cumulative, gross: '100000000', held: '0', platform_fee: '30000000',
              unallocated: '0' },
  }
}

/** The API serving `served` as period 1's statement; the chain holding what was published for `published`. */
function stubPeriod(served: string, published: string, more: Record<string, Handler> = {}) {
  const payees = (JSON.parse(published) as ReturnType<typeof statementOf>).payees
  const tree = StandardMerkleTree.of(payees.map((p) => [p.account, p.cumulative]), ['address', 'uint256'])
  const statementHash = `0x${createHash('sha256').update(published).digest('hex')}` as const
  const log = {
    address: DISTRIBUTOR.toLowerCase(), blockHash: `0x${'ab'.repeat(32)}`, blockNumber: '0x2a', logIndex: '0x0',
    transactionHash: `0x${'cd'.repeat(32)}`, transactionIndex: '0x0', removed: false,
    topics: encodeEventTopics({ abi: [PERIOD_PUBLISHED], eventName: 'PeriodPublished', args: { periodId: 1n } }),
    data: encodeAbiParameters(PERIOD_PUBLISHED.inputs.filter((i) => !('indexed' in i)), [
      tree.root as `0x${string}`, ZERO as `0x${string}`, 70000000n, 70000000n, statementHash, 'ipfs://bafk']),
  }
  const rpcCalls: string[] = []
  stubFetch({
    'GET /v1/periods/1': () => json({ period_id: 1, starts_at: '2026-11-01T00:00:00Z', ends_at: '2026-12-01T00:00:00Z',
                                      status: 'published', statement: null }),
    'GET /v1/periods/1/statement.json': () => new Response(served, { headers: { 'content-type': 'application/json' } }),
    'GET /v1/chain': () => json({ chain_id: 31337, rpc_url: RPC, contracts: {}, payout_token: null }),
    [`POST ${RPC}/`]: async (request) => {
      const call = await request.json() as { id: number; method: string }
      rpcCalls.push(call.method)
      const result = call.method === 'eth_chainId' ? '0x7a69' : call.method === 'eth_getLogs' ? [log] : null
      return json({ jsonrpc: '2.0', id: call.id, result })
    },
    ...more,
  })
  return { tree, rpcCalls }
}

describe('the auditor’s period page', () => {
  const payees = [{ account: ALICE, amount: '21000000', cumulative: '21000000' },
                  { account: BOB, amount: '49000000', cumulative: '49000000' }]
  const honest = JSON.stringify(statementOf(payees))

  it('is green when the statement matches the chain, and checks a payee’s proof from the URL', async () => {
    const { tree, rpcCalls } = stubPeriod(honest, honest)
    renderApp(`/auditor/periods/1?account=${BOB}`)
    const checks = await screen.findByRole('region', { name: 'Checks' })
    expect(within(checks).getByRole('status')).toHaveTextContent('Every check passed.')
    for (const name of ['Statement hash matches the on-chain PeriodPublished',
                        'Merkle root rebuilt from the statement matches the chain',
                        'Cumulative total of the payees matches the chain'])
      expect(within(checks).getByRole('listitem', { name: `${name}: Passed` })).toHaveClass('pass')
    expect(rpcCalls).toEqual(['eth_chainId', 'eth_getLogs'])

    expect(screen.getByLabelText('Payee address')).toHaveValue(BOB)
    expect(screen.getByLabelText('Cumulative amount (token units)')).toHaveValue('49000000')
    expect(screen.getByText(`Against root ${tree.root}`)).toBeInTheDocument()
    await userEvent.setup().click(screen.getByRole('button', { name: 'Verify proof' }))
    expect(screen.getByText('✔ The proof is valid for this root.')).toHaveClass('pass')
  })

  it('is red when the statement served differs from the one published', async () => {
    const tampered = JSON.stringify(statementOf([{ ...payees[0]!, amount: '22000000', cumulative: '22000000' },
                                                 { ...payees[1]!, amount: '48000000', cumulative: '48000000' }]))
    stubPeriod(tampered, honest)
    renderApp('/auditor/periods/1')
    const checks = await screen.findByRole('region', { name: 'Checks' })
    expect(within(checks).getByRole('status')).toHaveTextContent('At least one check failed.')
    expect(within(checks).getByRole('listitem', {
      name: 'Statement hash matches the on-chain PeriodPublished: Failed' })).toHaveClass('fail')
    expect(within(checks).getByRole('listitem', {
      name: 'Merkle root rebuilt from the statement matches the chain: Failed' })).toHaveClass('fail')
    // the totals still add up: only the chain tells the tampering apart
    expect(within(checks).getByRole('listitem', {
      name: 'Cumulative total of the payees matches the chain: Passed' })).toHaveClass('pass')
  })

  it('shows auditors the platform’s own audit beside it, and downloads inputs with their token', async () => {
    const downloads: Request[] = []
    stubPeriod(honest, honest, {
      'POST /v1/auth/login': () => json(tokenPair('auditor-token', 'r', 900, { ...USER, roles: ['auditor'] })),
      'GET /v1/audit/periods/1': () => json({ period_id: 1, passed: true, discrepancies: [], checks: [
        { name: 'merkle root', passed: true, detail: 'recomputed 0xe1, recorded 0xe1' }] }),
      'GET /v1/audit/periods/1/inputs/plays.csv': (request) => {
        downloads.push(request)
        return new Response('play_id,listener\n', { headers: { 'content-type': 'text/csv' } })
      },
    })
    // jsdom has no object URLs: the one browser API the download needs, provided for the test
    const createObjectURL = vi.fn(() => 'blob:plays')
    const before = { createObjectURL: URL.createObjectURL, revokeObjectURL: URL.revokeObjectURL }
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() })
    try {
      await signIn('audit@example.org', 'correct horse 42!')
      renderApp('/auditor/periods/1')
      const server = await screen.findByRole('region', { name: 'The platform’s own audit' })
      expect(await within(server).findByRole('listitem', { name: 'merkle root: Passed' })).toHaveClass('pass')
      await userEvent.setup().click(within(server).getByRole('button', { name: 'Download plays.csv' }))
      await vi.waitFor(() => expect(createObjectURL).toHaveBeenCalledOnce())
      expect(downloads[0]!.headers.get('Authorization')).toBe('Bearer auditor-token')
    } finally {
      Object.assign(URL, before)
    }
  })

  it('shows no server audit to the public', async () => {
    stubPeriod(honest, honest)
    renderApp('/auditor/periods/1')
    await screen.findByRole('region', { name: 'Checks' })
    expect(screen.queryByRole('region', { name: 'The platform’s own audit' })).toBeNull()
  })
})
