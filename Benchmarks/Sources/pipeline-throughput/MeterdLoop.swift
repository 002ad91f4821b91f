import KongTraffic
import MeterdCore
import PipelineHarness

/// The measured loop of meterd's core pipeline: extract each event into one
/// reused record, as stage 1 of `meterd run` does, and hand it to the pipeline.
///
/// The per-thread state lives here rather than in `main.swift`'s globals, so
/// the loop reads it through `self` (checked at compile time) instead of
/// paying a dynamic exclusivity check on every access to a global variable.
struct MeterdLoop {
    private var extraction: StageOneExtraction

    init(extractor: UsageExtractor) {
        extraction = StageOneExtraction(extractor: extractor)
    }

    /// Extracts, routes and aggregates the events of `range`.
    mutating func run(_ pipeline: inout MeteringPipeline, _ range: Range<Int>, stream: inout PipelineStream) {
        for index in range {
            let usable = stream.withRecord(at: index) { extraction.extract($0) }
            if usable { pipeline.process(extraction.record) } else { pipeline.processRejected() }
        }
    }

    /// Extraction alone over the events of `range`.
    /// - Returns: the number of samples extracted (a sink for the optimizer).
    mutating func extractOnly(_ range: Range<Int>, stream: inout PipelineStream) -> Int {
        var samples = 0
        for index in range where stream.withRecord(at: index, { extraction.extract($0) }) {
            samples &+= extraction.record.samples.count
        }
        return samples
    }
}
