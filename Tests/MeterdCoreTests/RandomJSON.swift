@testable import MeterdCore

/// Seeded random JSON texts for the scanner differential tests: nested
/// objects and arrays, escapes, non-ASCII, numbers of every shape, duplicate
/// keys, whitespace; plus selector paths that often hit the keys used.
struct RandomJSON {
    var random: SeededGenerator
    static let keys = ["a", "b", "id", "name", "request", "x-y", "longer_key_name", "k\\u0061", "é", "a\\\"b"]
    static let scalars = [
        "0", "-0", "1", "42", "200", "7.25", "10e2", "-12.5e+3", "1E-7", "123456789012345678901234567890", "0.000001",
        "true", "false", "null",
        #""""#, #""plain""#, #""esc\n\t\"\\\/\b\f\r""#, #""\u00e9\u20AC\ud83d\ude00""#, #""héllo €""#,
        #""a string longer than sixteen bytes""#, #""forty bytes of plain text before an escape\n""#,
        #""thirty-three bytes then non-ASCII: é and more after it""#, #""0123456789abcdef0123456789abcdef""#,
    ]

    mutating func pick<T>(_ options: [T]) -> T { options[Int(random.next() % UInt64(options.count))] }

    mutating func whitespace() -> String { random.next() % 4 == 0 ? pick([" ", "\n", "\t ", "\r\n  "]) : "" }

    mutating func value(depth: Int) -> String {
        let roll = random.next() % 10
        if depth >= 6 || roll < 4 { return pick(Self.scalars) }
        let count = Int(random.next() % 5)
        if roll < 7 {
            var members: [String] = []
            for _ in 0..<count {
                members.append(whitespace() + "\"" + pick(Self.keys) + "\"" + whitespace() + ":" + whitespace() + value(depth: depth + 1) + whitespace())
            }
            return "{" + whitespace() + members.joined(separator: ",") + "}"
        }
        var elements: [String] = []
        for _ in 0..<count { elements.append(whitespace() + value(depth: depth + 1) + whitespace()) }
        return "[" + whitespace() + elements.joined(separator: ",") + "]"
    }

    /// Up to `count` distinct selector paths over the keys above and small indexes.
    mutating func paths(count: Int) -> [[JSONSelector.Component]] {
        let names = ["a", "b", "id", "name", "request", "x-y", "longer_key_name", "ka", "é", "a\"b", "zz"]
        var paths: [[JSONSelector.Component]] = []
        for _ in 0..<count {
            let length = 1 + Int(random.next() % 4)
            let path: [JSONSelector.Component] = (0..<length).map { _ in
                random.next() % 4 == 0 ? .index(Int(random.next() % 3)) : .key(pick(names))
            }
            if !paths.contains(path) { paths.append(path) }
        }
        return paths
    }

    /// One to three random edits: a byte replaced, removed or inserted, or the text cut short.
    static func mutate(_ bytes: inout [UInt8], using random: inout SeededGenerator) {
        let special: [UInt8] = [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x20, 0x00, 0x1F, 0x30, 0x2D, 0x2E,
                                0x65, 0x2B, 0x74, 0x75, 0x80, 0xBF, 0xC0, 0xC3, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF]
        for _ in 0..<(1 + Int(random.next() % 3)) {
            guard !bytes.isEmpty else { return }
            let index = Int(random.next() % UInt64(bytes.count))
            let byte = special[Int(random.next() % UInt64(special.count))]
            switch random.next() % 4 {
            case 0: bytes[index] = byte
            case 1: bytes.remove(at: index)
            case 2: bytes.insert(byte, at: index)
            default: bytes.removeSubrange(index...)
            }
        }
    }
}
