import Crdkafka

/// An error reported by librdkafka, classified the way its transactional
/// API asks callers to react.
///
/// - `isFatal`: the client instance is unusable (e.g. the producer was
///   fenced); close it and create a new one.
/// - `requiresAbort`: the current transaction must be aborted, then the
///   application rewinds its input to the last committed position.
/// - `isRetriable`: the same call may simply be retried.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// librdkafka's `rd_kafka_resp_err_t` value: negative values are local
    /// (client-side) errors, positive ones are broker error codes.
    public let code: Int32
    public let message: String
    public let isFatal: Bool
    public let isRetriable: Bool
    public let requiresAbort: Bool
    /// The operation that failed, e.g. `commitTransaction`.
    public let operation: String
    public let file: String
    public let line: Int

    public init(
        code: Int32,
        message: String,
        isFatal: Bool = false,
        isRetriable: Bool = false,
        requiresAbort: Bool = false,
        operation: String,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.isFatal = isFatal
        self.isRetriable = isRetriable
        self.requiresAbort = requiresAbort
        self.operation = operation
        self.file = file
        self.line = line
    }

    /// librdkafka's symbolic name of the code, e.g. `PRODUCER_FENCED`.
    public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(code))) }

    /// True when another producer with the same `transactional.id` took over.
    public var isFenced: Bool {
        code == RD_KAFKA_RESP_ERR__FENCED.rawValue
            || code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED.rawValue
            || code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH.rawValue
    }

    /// True for a timeout of a local operation.
    public var isTimeout: Bool {
        code == RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue || code == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue
    }

    public var description: String {
        var flags: [String] = []
        if isFatal { flags.append("fatal") }
        if requiresAbort { flags.append("abortable") }
        if isRetriable { flags.append("retriable") }
        let suffix = flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]"
        return "\(operation) failed: \(name): \(message)\(suffix)"
    }

    /// A local timeout of a multi-step operation (retriable).
    public static func timedOut(operation: String, message: String, file: String = #fileID, line: Int = #line) -> KafkaError {
        KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue, message: message, isRetriable: true, operation: operation, file: file, line: line)
    }

    /// Takes ownership of an `rd_kafka_error_t` (destroys it) and classifies it.
    static func consuming(
        _ error: OpaquePointer,
        operation: String,
        file: String = #fileID,
        line: Int = #line
    ) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        return KafkaError(
            code: rd_kafka_error_code(error).rawValue,
            message: String(cString: rd_kafka_error_string(error)),
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            requiresAbort: rd_kafka_error_txn_requires_abort(error) != 0,
            operation: operation,
            file: file,
            line: line
        )
    }

    /// Classifies a plain response code. Fatal when librdkafka flagged the
    /// client as failed; retriable for the transient codes of librdkafka's
    /// own retry logic.
    static func from(
        _ code: rd_kafka_resp_err_t,
        client: OpaquePointer?,
        operation: String,
        detail: String? = nil,
        file: String = #fileID,
        line: Int = #line
    ) -> KafkaError {
        var message = detail ?? String(cString: rd_kafka_err2str(code))
        var fatal = code == RD_KAFKA_RESP_ERR__FATAL
        var effective = code
        if fatal, let client {
            var buffer = [CChar](repeating: 0, count: 512)
            effective = rd_kafka_fatal_error(client, &buffer, buffer.count)
            message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            fatal = true
        }
        return KafkaError(
            code: effective.rawValue,
            message: message,
            isFatal: fatal,
            isRetriable: !fatal && retriableCodes.contains(effective.rawValue),
            operation: operation,
            file: file,
            line: line
        )
    }

    private static let retriableCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR__TRANSPORT.rawValue,
        RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue,
        RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN.rawValue,
        RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue,
        RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE.rawValue,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND.rawValue,
        RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS.rawValue,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE.rawValue,
        RD_KAFKA_RESP_ERR_NOT_COORDINATOR.rawValue,
        RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION.rawValue,
        RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS.rawValue,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue,
        RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR.rawValue,
    ]
}
