import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import { describe, expect, it } from 'vitest'

import { checkProof, rebuildTree, type Leaf, type Statement } from './verify'
import vectors from './vectors/python-trees.json'

// Trees written by ledger/merkle.py (tests/web/merkle_vectors.py): the browser must agree byte for byte.
describe('Merkle vectors from ledger/merkle.py', () => {
  it.each(vectors.map((v, i) => [v.proofs.length, i] as const))('a %i-leaf tree', (_size, i) => {
    const vector = vectors[i]!
    const leaves = vector.proofs.map((p) => p.leaf as Leaf)
    expect(StandardMerkleTree.of(leaves, ['address', 'uint256']).root).toBe(vector.root)
    const loaded = StandardMerkleTree.load(vector.dump as Parameters<typeof StandardMerkleTree.load<Leaf>>[0])
    expect(loaded.root).toBe(vector.root)
    const statement = { payees: leaves.map(([account, cumulative]) => ({ account, amount: cumulative, cumulative })) }
    expect(rebuildTree(statement as Statement)?.root).toBe(vector.root)
    for (const { leaf, proof } of vector.proofs) {
      expect(checkProof(vector.root, leaf[0]!, leaf[1]!, proof)).toBe('valid')
      expect(loaded.getProof(leaf as Leaf)).toEqual(proof)
      expect(checkProof(vector.root, leaf[0]!, `${BigInt(leaf[1]!) + 1n}`, proof)).toBe('invalid')
    }
  })
})
