import Crdkafka

extension KafkaAPI {
    /// The Kafka protocol name of the request type, e.g. `TxnOffsetCommit`.
    public var protocolName: String {
        let name = "\(self)"
        return name.prefix(1).uppercased() + name.dropFirst()
    }

    /// The request type with protocol name `name` (case-insensitive:
    /// `Produce`, `txnoffsetcommit`), or nil.
    public init?(name: String) {
        let wanted = name.lowercased()
        guard let api = Self.allCases.first(where: { "\($0)".lowercased() == wanted }) else { return nil }
        self = api
    }
}

extension KafkaErrorCode {
    /// The broker error code librdkafka names `name` (case-insensitive, e.g.
    /// `NOT_ENOUGH_REPLICAS`), or nil. Only broker (protocol) errors, never
    /// librdkafka's local `_…` codes: a broker cannot answer with those.
    public init?(name: String) {
        let wanted = name.uppercased()
        var descriptions: UnsafePointer<rd_kafka_err_desc>?
        var count = 0
        rd_kafka_get_err_descs(&descriptions, &count)
        guard let descriptions else { return nil }
        for index in 0..<count {
            let entry = descriptions[index]
            guard entry.code.rawValue > 0, let cName = entry.name, String(cString: cName) == wanted else { continue }
            self.init(rawValue: entry.code.rawValue)
            return
        }
        return nil
    }

    /// librdkafka's name of the code, e.g. `NOT_ENOUGH_REPLICAS`.
    public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue))) }
}
