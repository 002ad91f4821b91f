import Crdkafka

/// librdkafka properties for one client, passed through verbatim.
///
/// Any property librdkafka knows (SASL, TLS, timeouts…) can be set; each is
/// checked by `rd_kafka_conf_set` when the client is created, so a typo fails
/// at start-up with librdkafka's own message. Values of secret properties
/// never appear in `description` or logs.
public struct KafkaConfiguration: Sendable, Equatable, CustomStringConvertible {
    public var properties: [String: String]
    /// How much to raise the nice value of the client's librdkafka main
    /// thread ("rdk:main") when it starts, at most to 19; 0 leaves it.
    ///
    /// Not a librdkafka property: librdkafka 2.0's main thread waits for its
    /// next timer in whole milliseconds, so it polls the clock until any
    /// timer due within a millisecond fires; a transactional producer arms
    /// one, 1 ms ahead, for every AddPartitionsToTxn round. On a busy
    /// machine a raised nice value makes that polling yield to threads with
    /// work; the thread still runs whenever a CPU is free. The coordinators'
    /// broker threads, which the main thread creates, keep the process's
    /// nice value (BENCHMARKS.md, "End-to-end pipeline, round 21"). Linux only.
    public var mainThreadNice: Int32 = 0

    public init(_ properties: [String: String] = [:]) {
        self.properties = properties
    }

    public init(bootstrap: String, _ properties: [String: String] = [:]) {
        self.properties = properties
        self.properties["bootstrap.servers"] = bootstrap
    }

    public subscript(key: String) -> String? {
        get { properties[key] }
        set { properties[key] = newValue }
    }

    /// This configuration with `other`'s properties laid over it.
    public func merging(_ other: [String: String]) -> KafkaConfiguration {
        var merged = self
        merged.properties.merge(other) { _, new in new }
        return merged
    }

    /// Properties that only producers read; one shared `kafka:` block sets
    /// them for every client, and librdkafka warns when a consumer gets them.
    static let producerOnly: Set<String> = [
        "acks", "request.required.acks", "compression.type", "compression.codec", "compression.level",
        "linger.ms", "queue.buffering.max.ms", "batch.size", "batch.num.messages",
        "queue.buffering.max.messages", "queue.buffering.max.kbytes", "message.timeout.ms", "delivery.timeout.ms",
        "enable.idempotence", "enable.gapless.guarantee", "transactional.id", "transaction.timeout.ms",
        "partitioner", "sticky.partitioning.linger.ms", "retries", "message.send.max.retries",
    ]

    /// This configuration without producer-only properties, for consumers.
    public var forConsumer: KafkaConfiguration {
        var consumer = self
        consumer.properties = properties.filter { !Self.producerOnly.contains($0.key) }
        return consumer
    }

    /// This configuration for a short-lived reader of explicit partitions
    /// (restore, read-back, timestamp scans): group, transaction and
    /// producer-only settings removed, end-of-partition events on.
    public func manualReader(isolationLevel: String) -> KafkaConfiguration {
        var reader = forConsumer.properties
        for key in ["group.id", "group.instance.id", "partition.assignment.strategy"] {
            reader[key] = nil
        }
        reader["enable.partition.eof"] = "true"
        reader["isolation.level"] = isolationLevel
        var configuration = self
        configuration.properties = reader
        return configuration
    }

    /// True for properties whose value must never be logged.
    public static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["password", "secret", "sasl.jaas.config", "sasl.oauthbearer.config", "ssl.key.pem", "ssl_key", "ssl.keystore"]
            .contains { lowered.contains($0) }
    }

    /// The properties with secret values replaced by `[redacted]`, sorted by key.
    public var redacted: [(key: String, value: String)] {
        properties.keys.sorted().map { key in
            (key, Self.isSecret(key) ? "[redacted]" : properties[key] ?? "")
        }
    }

    public var description: String {
        redacted.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// Builds an `rd_kafka_conf_t`; the caller owns it.
    /// - Throws: `KafkaError` naming the property librdkafka rejected.
    func makeNativeConfiguration() throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL.rawValue, message: "out of memory", operation: "configure")
        }
        var errorBuffer = [CChar](repeating: 0, count: 512)
        for key in properties.keys.sorted() {
            let value = properties[key] ?? ""
            let result = rd_kafka_conf_set(conf, key, value, &errorBuffer, errorBuffer.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                throw KafkaError(
                    code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue,
                    message: "property '\(key)': \(detail)",
                    operation: "configure"
                )
            }
        }
        if mainThreadNice > 0 {
            #if os(Linux)
            let result = meterd_raise_main_thread_nice(conf, mainThreadNice)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(code: result.rawValue, message: "cannot add the main thread's priority interceptor", operation: "configure")
            }
            #endif
        }
        return conf
    }
}

extension Array where Element == CChar {
    /// The NUL-terminated C string in this buffer.
    var cString: String {
        String(decoding: prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
