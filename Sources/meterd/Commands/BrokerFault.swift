import Foundation
import MeterdKafka

/// One line of `meterd broker --faults-from-stdin`: a fault to inject into
/// the embedded broker while clients run against it (chaos testing).
///
/// ```
/// fail <Api> <count> <ERROR_NAME>   next <count> requests of <Api>, to any broker, fail
/// down <brokerId> / up <brokerId>   close a broker's connections and refuse new ones / restore it
/// rtt <brokerId> <millis>           add round-trip latency to a broker's responses
/// leader <topic> <partition> <id>   move a partition's leadership
/// clear <Api>                       forget pending injected errors of <Api>
/// ```
///
/// `<Api>` is a Kafka request name (`Produce`, `Fetch`, `EndTxn`,
/// `TxnOffsetCommit`, `JoinGroup`…), `<ERROR_NAME>` a broker error code as
/// librdkafka names it (`NOT_ENOUGH_REPLICAS`, `REQUEST_TIMED_OUT`…). Blank
/// lines and `#` comments are ignored.
enum BrokerFault: Equatable {
    case fail(KafkaAPI, count: Int, error: KafkaErrorCode)
    case down(Int32)
    case up(Int32)
    case roundTripTime(Int32, millis: Int)
    case leader(topic: String, partition: Int32, broker: Int32)
    case clear(KafkaAPI)

    /// A line that is not a fault command; `description` says what is expected.
    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    /// The command of `line`, or nil for a blank line or a comment.
    static func parse(_ line: String) throws(ParseError) -> BrokerFault? {
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let verb = words.first?.lowercased(), !verb.hasPrefix("#") else { return nil }
        let arguments = Array(words.dropFirst())
        switch (verb, arguments.count) {
        case ("fail", 3):
            guard let count = Int(arguments[1]), count > 0, count <= 10_000 else {
                throw ParseError(description: "fail: count must be 1…10000, got '\(arguments[1])'")
            }
            guard let error = KafkaErrorCode(name: arguments[2]) else {
                throw ParseError(description: "fail: unknown broker error '\(arguments[2])' (e.g. NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT)")
            }
            return .fail(try api(arguments[0]), count: count, error: error)
        case ("down", 1):
            return .down(try brokerId(arguments[0]))
        case ("up", 1):
            return .up(try brokerId(arguments[0]))
        case ("rtt", 2):
            guard let millis = Int(arguments[1]), millis >= 0 else { throw ParseError(description: "rtt: millis must be ≥ 0, got '\(arguments[1])'") }
            return .roundTripTime(try brokerId(arguments[0]), millis: millis)
        case ("leader", 3):
            guard let partition = Int32(arguments[1]), partition >= 0 else {
                throw ParseError(description: "leader: partition must be ≥ 0, got '\(arguments[1])'")
            }
            return .leader(topic: arguments[0], partition: partition, broker: try brokerId(arguments[2]))
        case ("clear", 1):
            return .clear(try api(arguments[0]))
        default:
            throw ParseError(description: "expected 'fail <Api> <count> <ERROR>', 'down <id>', 'up <id>', 'rtt <id> <ms>', 'leader <topic> <partition> <id>' or 'clear <Api>', got '\(line)'")
        }
    }

    private static func api(_ name: String) throws(ParseError) -> KafkaAPI {
        guard let api = KafkaAPI(name: name) else {
            throw ParseError(description: "unknown request type '\(name)'; one of \(KafkaAPI.allCases.map(\.protocolName).joined(separator: ", "))")
        }
        return api
    }

    private static func brokerId(_ text: String) throws(ParseError) -> Int32 {
        guard let id = Int32(text), id >= 1 else { throw ParseError(description: "broker id must be ≥ 1, got '\(text)'") }
        return id
    }

    func apply(to broker: EmbeddedBroker) throws {
        switch self {
        case .fail(let api, let count, let error): broker.failNextRequests(api, count: count, with: error)
        case .down(let id): try broker.setBroker(id, up: false)
        case .up(let id): try broker.setBroker(id, up: true)
        case .roundTripTime(let id, let millis): try broker.setRoundTripTime(id, millis: millis)
        case .leader(let topic, let partition, let id): try broker.setPartitionLeader(topic, partition: partition, brokerId: id)
        case .clear(let api): broker.clearInjectedErrors(api)
        }
    }

    /// Reads fault commands from stdin on a thread of its own until EOF and
    /// applies each one, answering `ok <line>` or `error: <why>` on stdout,
    /// so a driving script can wait for each fault to be in place.
    static func serveStandardInput(_ broker: EmbeddedBroker, onApplied: @escaping @Sendable (String) -> Void) {
        Thread.detachNewThread {
            while let line = readLine() {
                let answer: String
                do {
                    guard let fault = try parse(line) else { continue }
                    if case .down(let id) = fault, id > broker.brokerCount { throw ParseError(description: "no broker \(id) (cluster has \(broker.brokerCount))") }
                    try fault.apply(to: broker)
                    answer = "ok \(line.trimmingCharacters(in: .whitespaces))"
                    onApplied(line)
                } catch {
                    answer = "error: \(error)"
                }
                print(answer)
                fflush(nil)
            }
        }
    }
}
