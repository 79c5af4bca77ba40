/** `PeriodPublished` read straight from a JSON-RPC node with viem: no HARMONI server in between. */
import { createPublicClient, getAddress, http, parseAbiItem } from 'viem'

import type { Hex, PublishedEvent } from './verify'

// prettier-ignore
export const PERIOD_PUBLISHED = parseAbiItem('event PeriodPublished(uint64 indexed periodId, bytes32 root, bytes32 previousRoot, uint256 cumulativeTotal, uint256 funded, bytes32 statementHash, string statementURI)')

export interface ChainReading {
  chainId: number
  event: PublishedEvent | null
}

/** The chain id the node serves and the period's event at `distributor` (searched from `fromBlock`). */
export async function readPeriodPublished(rpcUrl: string, distributor: string, periodId: number,
  fromBlock: bigint): Promise<ChainReading> {
  const client = createPublicClient({
    // resolved per call, so tests stub the network edge (globalThis.fetch)
    transport: http(rpcUrl, { retryCount: 0, fetchFn: (input, init) => globalThis.fetch(input, init) }),
  })
  const chainId = await client.getChainId()
  const logs = await client.getLogs({
    address: getAddress(distributor), event: PERIOD_PUBLISHED, args: { periodId: BigInt(periodId) },
    fromBlock, toBlock: 'latest',
  })
  const log = logs[0]
  if (!log) return { chainId, event: null }
  const a = log.args
  return {
    chainId,
    event: {
      root: a.root as Hex, previousRoot: a.previousRoot as Hex, cumulativeTotal: a.cumulativeTotal ?? 0n,
      funded: a.funded ?? 0n, statementHash: a.statementHash as Hex, statementURI: a.statementURI ?? '',
      blockNumber: log.blockNumber, transactionHash: log.transactionHash,
    },
  }
}
