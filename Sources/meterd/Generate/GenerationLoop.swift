import Foundation
import Logging
import MeterdKafka

/// The send loop of `meterd generate`: builds records, paces them with a
/// `RatePacer`, produces them idempotently with lz4, prints progress to
/// stderr, and stops after `maxEvents`, `maxDuration` or a stop request,
/// flushing before it returns.
struct GenerationLoop {
    let bootstrap: String
    let topic: String
    let rate: Double
    let maxEvents: Int?
    let maxDuration: Duration?
    let progressInterval: Duration
    let profile: TrafficProfile
    let seed: UInt64
    let logger: Logger
    /// Progress lines on stderr (off in the demo, whose screen shows `live`).
    var printsProgress = true
    /// Receives the running tally after every batch, for a live view.
    var live: LiveGenerationTally? = nil

    struct Outcome: Sendable {
        let tally: GenerationTally
        let elapsed: Duration
        let delivered: Int
        let failed: Int
        let firstError: KafkaError?
    }

    func run(stopRequested: @escaping @Sendable () -> Bool) throws -> Outcome {
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrap: bootstrap, [
                "enable.idempotence": "true",
                "compression.type": "lz4",
                "linger.ms": "5",
                "queue.buffering.max.messages": "200000",
            ]),
            logger: logger
        )
        var builder = TrafficRecordBuilder(profile: profile, seed: seed)
        var tally = GenerationTally()
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = maxDuration.map { start + $0 }
        var pacer = RatePacer(rate: rate, start: start)
        var nextProgress = start + progressInterval
        var sentAtLastProgress = 0
        var lastProgress = start

        sending: while !stopRequested() {
            let now = clock.now
            if let deadline, now >= deadline { break }
            if let maxEvents, tally.sent >= maxEvents { break }
            if now >= nextProgress {
                if printsProgress {
                    let interval = (now - lastProgress).seconds
                    let line = tally.progressLine(ratePerSecond: Double(tally.sent - sentAtLastProgress) / max(interval, 0.001))
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                }
                sentAtLastProgress = tally.sent
                lastProgress = now
                nextProgress = now + progressInterval
            }
            var batch = pacer.available(at: now)
            if let maxEvents { batch = min(batch, maxEvents - tally.sent) }
            guard batch > 0 else {
                producer.poll(timeoutMillis: 0)
                Thread.sleep(forTimeInterval: min(pacer.waitForNext, nextProgress - now).seconds)
                continue
            }
            let nowMillis = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
            for _ in 0..<batch {
                let event = builder.next(nowMillis: nowMillis)
                guard try send(event.bytes, with: producer, stopRequested: stopRequested) else { break sending }
                tally.count(event.kind)
            }
            pacer.consume(batch)
            producer.poll(timeoutMillis: 0)
            live?.publish(tally)
        }
        let elapsed = clock.now - start
        do {
            try producer.flush(timeoutMillis: 30_000)
        } catch {
            logger.error("flush did not complete: \(error)", metadata: ["meterd.in_flight": "\(producer.inFlightCount)"])
        }
        let deliveries = producer.deliveries
        return Outcome(
            tally: tally, elapsed: elapsed, delivered: deliveries.delivered,
            failed: deliveries.failed + producer.inFlightCount, firstError: deliveries.firstError ?? producer.unrecoverableError
        )
    }

    /// Enqueues one record, waiting while the local queue is full.
    /// - Returns: false when a stop was requested while waiting.
    private func send(_ bytes: [UInt8], with producer: KafkaProducer, stopRequested: () -> Bool) throws -> Bool {
        while true {
            let failure: KafkaError
            do {
                try producer.send(OutgoingRecord(topic: topic, value: bytes))
                return true
            } catch {
                failure = error
            }
            guard failure.isRetriable, !failure.isFatal else { throw failure }
            producer.poll(timeoutMillis: 50)
            if stopRequested() { return false }
        }
    }
}
