import KongTraffic
import MeterdCore
import PipelineHarness

/// The repartition hop of `meterd run` between extraction and ingest:
/// stage 1 encodes each usage record (`UsageRecordCodec`, with its samples
/// encoded during extraction as `meterd run` does) into a packed buffer,
/// stage 2 decodes the entries back and ingests them, in order.
///
/// Stage 2 reads as `RepartitionEntryReader` does: every entry of the chunk
/// decoded first (a corrupt record applies nothing), each into a record kept
/// for its position in the chunk, by one decoder that lives as long as the
/// hop (its string caches carry over, as in `meterd run`); then they are ingested.
///
/// Events go through in chunks of `chunkSize` (stage 1 packs what one poll
/// read); rejected records never reach the repartition topic, so a flag per
/// event keeps them at their place in the pipeline's order (its commits
/// happen every 1,000 events, rejects included).
struct RepartitionHop {
    let chunkSize = 100
    private var hasUsage: [Bool] = []

    /// Stage 1's extraction into one reused record, as `meterd run` does it.
    private var extraction: StageOneExtraction
    private var decoder = UsageRecordDecoder()
    /// Stage 2's decoded entries of one chunk, reused from chunk to chunk.
    private var staged: [UsageRecord] = []

    init(extractor: UsageExtractor) {
        extraction = StageOneExtraction(extractor: extractor)
        hasUsage.reserveCapacity(chunkSize)
    }

    mutating func run(_ pipeline: inout MeteringPipeline, _ range: Range<Int>, stream: inout PipelineStream) {
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + chunkSize, range.upperBound)
            var writer = BinaryWriter(capacity: 16 * 1024)
            hasUsage.removeAll(keepingCapacity: true)
            for index in start..<end {
                let usable = stream.withRecord(at: index) { extraction.extractEncoded($0, into: &writer) }
                hasUsage.append(usable)
            }
            decodeAndProcess(writer.bytes, into: &pipeline)
            start = end
        }
    }

    private mutating func decodeAndProcess(_ bytes: [UInt8], into pipeline: inout MeteringPipeline) {
        do {
            var reader = BinaryReader(bytes)
            var count = 0
            for usable in hasUsage where usable {
                if count == staged.count { staged.append(UsageRecord.empty) }
                try decoder.decode(from: &reader, into: &staged[count])
                count += 1
            }
            var next = 0
            for usable in hasUsage {
                guard usable else {
                    pipeline.process(nil)
                    continue
                }
                pipeline.process(staged[next])
                next += 1
            }
        } catch {
            print("repartition entry does not decode: \(error)")
        }
    }

    /// Encode and decode alone over `range`, for the cost of the hop itself.
    mutating func encodeDecodeOnly(_ range: Range<Int>, stream: inout PipelineStream) -> Int {
        var usages: [UsageRecord] = []
        var samples = 0
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + chunkSize, range.upperBound)
            usages.removeAll(keepingCapacity: true)
            for index in start..<end {
                if stream.withRecord(at: index, { extraction.extract($0) }) {
                    usages.append(extraction.record)
                }
            }
            var writer = BinaryWriter(capacity: 16 * 1024)
            for usage in usages { UsageRecordCodec.encode(usage, into: &writer) }
            do {
                var reader = BinaryReader(writer.bytes)
                var usage = UsageRecord.empty
                for _ in usages.indices {
                    try decoder.decode(from: &reader, into: &usage)
                    samples &+= usage.samples.count
                }
            } catch {
                print("repartition entry does not decode: \(error)")
            }
            start = end
        }
        return samples
    }
}
