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
}
