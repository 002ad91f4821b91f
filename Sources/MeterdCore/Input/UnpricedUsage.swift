/// An event that carried tokens for a cost meter but matched no price, so
/// it does not count toward that meter (a configuration gap, not bad input).
///
/// The extractor reports these beside the usage so that the pipeline can
/// count them and name the missing prices in its log.
public struct UnpricedUsage: Sendable, Equatable, Hashable {
    /// Slug of the cost meter.
    public var meter: String
    /// The event's provider and model; nil when missing or not a string.
    public var provider: String?
    public var model: String?

    public init(meter: String, provider: String?, model: String?) {
        self.meter = meter
        self.provider = provider
        self.model = model
    }
}
