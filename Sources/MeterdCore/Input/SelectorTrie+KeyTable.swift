extension SelectorTrie {
    /// The hash of an object key by its first 8 bytes (zero-padded) and its length.
    @inline(__always)
    static func keyHash(prefix: UInt64, length: Int) -> UInt64 {
        (prefix &+ UInt64(truncatingIfNeeded: length) &* 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
    }

    /// Gives every node with key edges a collision-free hash table of them
    /// (the smallest power of two, at least twice the key count, that has
    /// no collision), so a lookup probes one entry instead of every edge.
    /// A node whose keys collide up to 4,096 entries keeps the linear scan.
    static func buildKeyTables(nodes: inout [Node], edges: [Edge]) -> [Int32] {
        var table: [Int32] = []
        for n in nodes.indices {
            let keyEdges = (nodes[n].firstEdge..<nodes[n].firstEdge + nodes[n].edgeCount).filter { edges[$0].index < 0 }
            guard !keyEdges.isEmpty else { continue }
            var bits = 1
            while 1 << bits < 2 * keyEdges.count { bits += 1 }
            while bits <= 12 {
                var entries = [Int32](repeating: -1, count: 1 << bits)
                var collided = false
                for e in keyEdges {
                    let slot = Int(keyHash(prefix: edges[e].keyPrefix, length: edges[e].keyLength) >> UInt64(64 - bits))
                    if entries[slot] >= 0 {
                        collided = true
                        break
                    }
                    entries[slot] = Int32(e)
                }
                if !collided {
                    nodes[n].keyTableStart = table.count
                    nodes[n].keyTableShift = 64 - bits
                    table.append(contentsOf: entries)
                    break
                }
                bits += 1
            }
        }
        return table
    }
}
