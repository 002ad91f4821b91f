import Crdkafka

/// Conversion of librdkafka messages into Swift values.
extension KafkaConsumer {
    static func event(from message: UnsafeMutablePointer<rd_kafka_message_t>, client: OpaquePointer) -> ConsumerEvent {
        let m = message.pointee
        let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) }
        if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF, let topic {
            return .endOfPartition(TopicPartition(topic, m.partition), offset: m.offset)
        }
        if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            let detail = rd_kafka_message_errstr(message).map { String(cString: $0) }
            let error = KafkaError.from(m.err, client: client, operation: "consume", detail: detail)
            return .error(error, partition: topic.map { TopicPartition($0, m.partition) })
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        return .record(ConsumedRecord(
            topic: topic ?? "",
            partition: m.partition,
            offset: m.offset,
            key: m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) },
            value: m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) },
            headers: headers(of: message),
            timestampMillis: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        ))
    }

    static func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        if hasNoHeaders(message) { return [] }
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers else { return [] }
        var result: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            result.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: bytes))
            index += 1
        }
        return result
    }

    /// Whether the byte after the value says the record has no headers,
    /// read without asking librdkafka.
    ///
    /// `rd_kafka_message_headers` parses a consumed record's headers on
    /// first use, and for a record with none (most input: Kong writes none)
    /// it allocates and frees a buffer on every call only to read a count of
    /// 0 (librdkafka 2.0, `rd_kafka_msg_headers_parse`), about 4% of
    /// `meterd run`'s CPU in perf. A v2 record (Kafka 0.11 and later) stores
    /// its header count, a varint, right after the value, in the same
    /// buffer, and a count of 0 is the byte 0. Older formats have no headers
    /// at all, so a 0 there is right too, and any other byte falls back to
    /// librdkafka. The byte is read only when it lies on the value's last
    /// page (not at a page start), so the read cannot fault whatever follows.
    static func hasNoHeaders(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> Bool {
        zeroFollowsValue(message, readable: 1)
    }

    /// Whether the byte after the value is 0 and `readable` bytes from it on
    /// lie on the page of the value's last byte (so reading them cannot
    /// fault). For a consumed record that is one without headers (see
    /// `hasNoHeaders`), unless the value ends too close to a page end.
    static func zeroFollowsValue(_ message: UnsafeMutablePointer<rd_kafka_message_t>, readable: Int) -> Bool {
        guard let payload = message.pointee.payload, message.pointee.len > 0, readable > 0 else { return false }
        let last = UInt(bitPattern: payload) &+ UInt(message.pointee.len) &- 1
        // 4 KiB: the smallest page size; a larger page only makes this stricter than needed.
        guard last >> 12 == (last &+ UInt(readable)) >> 12 else { return false }
        return (UnsafeRawPointer(payload) + message.pointee.len).load(as: UInt8.self) == 0
    }
}
