/// One input record's usage after decoding, meter evaluation and customer
/// resolution: everything the aggregation stage needs and nothing else.
///
/// Stage 1 of the pipeline produces it from raw Kafka bytes and re-keys it by
/// `customer` into the repartition topic; stage 2 feeds it to a
/// `PartitionAggregator`. A record whose event matches no meter still
/// produces a `UsageRecord` with no samples.
public struct UsageRecord: Sendable, Equatable {
    /// Billing customer the subject resolved to.
    public var customer: String
    /// The gateway consumer (Kong) or CloudEvent `subject`.
    public var subject: String
    /// Event source (`kong` for Kong records); part of the dedupe key.
    public var source: String
    /// Event id (Kong: `request.id`); part of the dedupe key.
    public var eventID: EventID
    /// Event time, epoch milliseconds (UTC).
    public var eventTimeMillis: Int64
    /// One sample per meter that reads this event.
    public var samples: [MeterSample]

    public init(customer: String, subject: String, source: String, id: String, eventTimeMillis: Int64, samples: [MeterSample]) {
        self.customer = customer
        self.subject = subject
        self.source = source
        self.eventID = EventID(id)
        self.eventTimeMillis = eventTimeMillis
        self.samples = samples
    }

    /// `eventID` as text.
    public var id: String {
        get { eventID.description }
        set { eventID = EventID(newValue) }
    }
}

extension UsageRecord {
    /// Appends a sample slot when `position` is one past the last, taken from
    /// `spares` (with its dimension array) when there is one: for decoders
    /// that overwrite a reused record's samples in place.
    @inline(__always)
    mutating func provideSample(at position: Int, from spares: inout [MeterSample]) {
        if position == samples.count {
            samples.append(spares.popLast() ?? MeterSample(meterIndex: 0, value: .none, dimensions: []))
        }
    }

    /// Moves the samples from `count` on into `spares`, for a later record.
    @inline(__always)
    mutating func keepSamples(_ count: Int, sparing spares: inout [MeterSample]) {
        while samples.count > count, let spare = samples.popLast() { spares.append(spare) }
    }
}

/// What one event contributes to one meter.
public struct MeterSample: Sendable, Equatable {
    /// Index of the meter in `MeterdConfiguration.meters`.
    public var meterIndex: Int
    public var value: SampleValue
    /// groupBy values aligned with `MeterDefinition.dimensionNames`
    /// (sorted names); `nil` where the dimension is missing or null.
    public var dimensions: [String?]

    public init(meterIndex: Int, value: SampleValue, dimensions: [String?]) {
        self.meterIndex = meterIndex
        self.value = value
        self.dimensions = dimensions
    }
}

/// The value an event carries for a meter.
public enum SampleValue: Sendable, Equatable, Hashable {
    /// COUNT meters need no value.
    case none
    /// SUM, AVG, MIN, MAX, LATEST: a finite number.
    case number(Double)
    /// UNIQUE_COUNT: the value stringified as groupBy values are.
    case text(String)
}
