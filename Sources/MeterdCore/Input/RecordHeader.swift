/// One Kafka record header as the decoding stage sees it: a key and raw bytes.
///
/// CloudEvents binary mode reads its `ce_*` attributes from these.
public struct RecordHeader: Sendable, Equatable {
    public var key: String
    public var value: [UInt8]

    public init(key: String, value: [UInt8]) {
        self.key = key
        self.value = value
    }

    /// A header whose value is the UTF-8 of `value`.
    public init(key: String, string value: String) {
        self.key = key
        self.value = Array(value.utf8)
    }
}
