/// The union of every selector one record must answer, compiled into a trie
/// so the scanner walks each record once and descends only where some
/// selector leads.
///
/// Each distinct path owns one slot; the walk stores the value found at a
/// path in its slot. Nodes and edges are flat arrays so the hot loop reads
/// them through buffer pointers without reference counting.
struct SelectorTrie: Sendable {
    struct Node: Sendable {
        /// Slot of the path ending here, or -1.
        var slot: Int
        var firstEdge: Int
        var edgeCount: Int
        /// Bit `min(length, 63)` set for the length of each key edge: most
        /// keys of a record are told apart from the selected ones by this.
        var keyLengths: UInt64
        /// This node's key edges in `keyTable`, hashed by `keyHash`: the
        /// first entry, and 64 minus the table's bit width (0: no table).
        var keyTableStart: Int
        var keyTableShift: Int
    }

    /// A key edge matches an object member by name; an index edge
    /// (`index >= 0`) matches an array element by position.
    struct Edge: Sendable {
        var keyStart: Int
        var keyLength: Int
        /// The key's first 8 bytes, zero-padded, little-endian: most keys are told apart by this and the length.
        var keyPrefix: UInt64
        var index: Int
        var child: Int
    }

    /// The first (up to) 8 bytes of `bytes` as a little-endian integer, zero-padded.
    @inline(__always)
    static func prefix(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var value: UInt64 = 0
        var i = min(bytes.count, 8)
        while i > 0 {
            i -= 1
            value = value << 8 | UInt64(bytes[i])
        }
        return value
    }

    @inline(__always)
    static func lengthBit(_ length: Int) -> UInt64 { 1 << UInt64(min(length, 63)) }

    let nodes: [Node]
    let edges: [Edge]
    let keyBytes: [UInt8]
    /// Edge numbers (or -1) of every node's key hash table.
    let keyTable: [Int32]
    let slotCount: Int
    /// The longest path's length (at least 1): no walk is ever deeper in nodes with edges.
    let height: Int

    /// Builds the trie; `paths[i]` gets slot `i` (callers pass distinct paths).
    init(paths: [[JSONSelector.Component]]) {
        final class BuildNode {
            var slot = -1
            var children: [(JSONSelector.Component, BuildNode)] = []
        }
        let root = BuildNode()
        for (slot, path) in paths.enumerated() {
            var node = root
            for component in path {
                if let existing = node.children.first(where: { $0.0 == component }) {
                    node = existing.1
                } else {
                    let child = BuildNode()
                    node.children.append((component, child))
                    node = child
                }
            }
            node.slot = slot
        }
        var nodes: [Node] = []
        var edges: [Edge] = []
        var keyBytes: [UInt8] = []
        // Breadth-first so each node's edges are contiguous.
        var queue: [BuildNode] = [root]
        nodes.append(Node(slot: root.slot, firstEdge: 0, edgeCount: 0, keyLengths: 0, keyTableStart: 0, keyTableShift: 0))
        var head = 0
        while head < queue.count {
            let node = queue[head]
            nodes[head].firstEdge = edges.count
            nodes[head].edgeCount = node.children.count
            for (component, child) in node.children {
                let childIndex = queue.count
                queue.append(child)
                nodes.append(Node(slot: child.slot, firstEdge: 0, edgeCount: 0, keyLengths: 0, keyTableStart: 0, keyTableShift: 0))
                switch component {
                case .key(let name):
                    let start = keyBytes.count
                    let utf8 = Array(name.utf8)
                    keyBytes.append(contentsOf: utf8)
                    let prefix = utf8.withUnsafeBufferPointer { SelectorTrie.prefix($0) }
                    edges.append(Edge(keyStart: start, keyLength: utf8.count, keyPrefix: prefix, index: -1, child: childIndex))
                    nodes[head].keyLengths |= SelectorTrie.lengthBit(utf8.count)
                case .index(let index):
                    edges.append(Edge(keyStart: 0, keyLength: 0, keyPrefix: 0, index: index, child: childIndex))
                }
            }
            head += 1
        }
        self.keyTable = Self.buildKeyTables(nodes: &nodes, edges: edges)
        self.nodes = nodes
        self.edges = edges
        self.keyBytes = keyBytes
        self.slotCount = paths.count
        self.height = max(1, paths.map(\.count).max() ?? 0)
    }

    /// Runs `body` with unsafe views of the trie, valid only inside it.
    func withView<R>(_ body: (SelectorTrieView) -> R) -> R {
        nodes.withUnsafeBufferPointer { nodes in
            edges.withUnsafeBufferPointer { edges in
                keyBytes.withUnsafeBufferPointer { keys in
                    keyTable.withUnsafeBufferPointer { keyTable in
                        body(SelectorTrieView(nodes: nodes, edges: edges, keys: keys, keyTable: keyTable, height: height))
                    }
                }
            }
        }
    }
}

/// Borrowed pointers into a `SelectorTrie` for the scanner's hot loop.
struct SelectorTrieView {
    let nodes: UnsafeBufferPointer<SelectorTrie.Node>
    let edges: UnsafeBufferPointer<SelectorTrie.Edge>
    let keys: UnsafeBufferPointer<UInt8>
    let keyTable: UnsafeBufferPointer<Int32>
    let height: Int

    /// False when no key edge of `node` has this length.
    @inline(__always)
    func mayHaveKey(ofLength length: Int, below node: Int) -> Bool {
        nodes[node].keyLengths & SelectorTrie.lengthBit(length) != 0
    }

    /// The child of `node` for the object key `name`, or -1.
    @inline(__always)
    func child(of node: Int, key name: UnsafeBufferPointer<UInt8>, prefix: UInt64) -> Int {
        let n = nodes[node]
        if n.keyTableShift > 0 {
            let e = Int(keyTable[n.keyTableStart &+ Int(SelectorTrie.keyHash(prefix: prefix, length: name.count) &>> UInt64(n.keyTableShift))])
            guard e >= 0 else { return -1 }
            let edge = edges[e]
            guard edge.keyPrefix == prefix, edge.keyLength == name.count, name.count <= 8 || keyEquals(edge, name) else { return -1 }
            return edge.child
        }
        var e = n.firstEdge
        let last = n.firstEdge + n.edgeCount
        while e < last {
            let edge = edges[e]
            if edge.keyPrefix == prefix, edge.keyLength == name.count, edge.index < 0,
               name.count <= 8 || keyEquals(edge, name) {
                return edge.child
            }
            e += 1
        }
        return -1
    }

    func child(of node: Int, key name: UnsafeBufferPointer<UInt8>) -> Int {
        child(of: node, key: name, prefix: SelectorTrie.prefix(name))
    }

    /// The child of `node` for array position `index`, or -1.
    @inline(__always)
    func child(of node: Int, index: Int) -> Int {
        let n = nodes[node]
        var e = n.firstEdge
        let last = n.firstEdge + n.edgeCount
        while e < last {
            if edges[e].index == index { return edges[e].child }
            e += 1
        }
        return -1
    }

    @inline(__always)
    private func keyEquals(_ edge: SelectorTrie.Edge, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 8
        while i < name.count {
            if keys[edge.keyStart + i] != name[i] { return false }
            i += 1
        }
        return true
    }
}
