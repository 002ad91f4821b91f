import Foundation
import Logging
import MeterdCore
import MeterdKafka
import MeterdPipeline
import Synchronization

/// One run of `meterd demo` on a broker whose topics exist: the traffic
/// generator, one processor and the output watcher, each on its own thread,
/// and the screen redrawn every `refresh` until a stop signal or `duration`.
///
/// Stops in order, so the summary is complete: traffic first (flushed), then
/// the processor once it has read what was produced (it commits its open
/// transaction and leaves the group), then the watcher once it has read the
/// last commit.
struct DemoSession {
    let configuration: MeterdConfiguration
    let layout: DemoLayout
    let rate: Double
    let duration: Duration?
    let refresh: Duration
    let terminal: DemoTerminal
    let logPath: String?
    let seed: UInt64
    let logger: Logger

    /// - Returns: the final snapshot, rates averaged over the run.
    /// - Throws: `DemoFailure` when a part stopped with an error.
    func run() async throws -> DemoSnapshot {
        let parts = DemoParts.start(configuration: configuration, loop: trafficLoop, logger: logger)
        let logger = logger
        let signalWatch = Task {
            let signal = await ShutdownSignal.wait()
            logger.info("stop requested", metadata: ["meterd.signal": "\(signal)"])
            parts.stopSession.set()
            // A second signal means "now": leave without the orderly stop.
            _ = await ShutdownSignal.wait()
            DemoTerminal.restoreCursor()
            exit(130)
        }
        defer { signalWatch.cancel() }

        var sampler = DemoSampler(
            broker: configuration.kafka.bootstrap, logPath: logPath, inputTopics: configuration.kafka.inputTopics,
            produced: parts.produced, stats: parts.stats, watcher: parts.watcher
        )
        let clock = ContinuousClock()
        let start = clock.now
        var screen = FrameClock(refresh: refresh, start: start)
        terminal.begin()
        while !parts.stopSession.isSet {
            if let duration, clock.now - start >= duration { break }
            screen.drawIfDue(at: clock.now, start: start, sampler: &sampler, session: self)
            try? await Task.sleep(for: .milliseconds(100))
        }
        let interrupted = parts.stopSession.isSet
        let ranFor = (clock.now - start).seconds
        let outcome = await parts.stopTraffic()
        let trafficEndMillis = Int64(Date().timeIntervalSince1970 * 1000)
        if !interrupted {
            // A timed run waits for its last windows so the summary has every rollup.
            let lastWindow = trafficEndMillis - trafficEndMillis % configuration.windows.sizeMillis
            let windows = configuration.windows
            let limit = clock.now + .milliseconds(windows.sizeMillis + windows.graceMillis + windows.idleTimeoutMillis) + .seconds(5)
            while !parts.stopSession.isSet, clock.now < limit, (parts.watcher.snapshot.rollups.newestWindowStart ?? .min) < lastWindow {
                screen.drawIfDue(at: clock.now, start: start, sampler: &sampler, session: self, note: "traffic stopped · waiting for the last windows to close")
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        terminal.end()
        terminal.print(["meterd demo: stopping — committing the open transaction, reading the last outputs…"])
        await waitForCatchUp(delivered: outcome?.delivered ?? parts.produced.snapshot.sent, sampler: sampler, failures: parts.failures)
        try await parts.stopProcessorThenWatcher()
        var final = sampler.take(uptimeSeconds: ranFor, average: true)
        let firstOpen = (final.outputs.rollups.newestWindowStart ?? .min) + configuration.windows.sizeMillis
        if firstOpen <= trafficEndMillis {
            final.note = "windows from \(DemoFormat.clock(firstOpen)) UTC on were still open: no rollups for them (quota events count at once)"
        }
        return final
    }

    private func trafficLoop(live: LiveGenerationTally) -> GenerationLoop {
        let profile = TrafficProfile(subjects: DemoConfiguration.generatorSubjects(of: configuration))
        var loop = GenerationLoop(
            bootstrap: configuration.kafka.bootstrap, topic: configuration.kafka.inputTopics.first ?? "gateway.usage",
            rate: rate, maxEvents: nil, maxDuration: nil, progressInterval: .seconds(1),
            profile: profile, seed: seed, logger: logger
        )
        loop.printsProgress = false
        loop.live = live
        return loop
    }

    /// Waits (at most 5 s) until the processor has read every delivered
    /// record and is at the end of its partitions, so the summary counts them.
    private func waitForCatchUp(delivered: Int, sampler: DemoSampler, failures: DemoFailures) async {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, failures.first == nil {
            let pipeline = sampler.stats.snapshot
            // A transaction marker can sit after a partition's last record.
            let caughtUp = pipeline.lag.values.allSatisfy { $0 <= 1 }
            if sampler.inputRecords(pipeline) >= delivered, caughtUp { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// When the next frame is due, and drawing it.
private struct FrameClock {
    let refresh: Duration
    var next: ContinuousClock.Instant

    init(refresh: Duration, start: ContinuousClock.Instant) {
        self.refresh = refresh
        next = start
    }

    mutating func drawIfDue(
        at now: ContinuousClock.Instant, start: ContinuousClock.Instant, sampler: inout DemoSampler, session: DemoSession, note: String? = nil
    ) {
        guard now >= next else { return }
        next = now + refresh
        var snapshot = sampler.take(uptimeSeconds: (now - start).seconds)
        snapshot.note = note
        session.terminal.draw(
            DemoScreen.frame(snapshot, layout: session.layout, height: session.terminal.height),
            title: "meterd demo at \(DemoFormat.uptime(seconds: snapshot.uptimeSeconds))"
        )
    }
}
