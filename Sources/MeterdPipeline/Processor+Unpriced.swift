import MeterdCore

extension Processor {
    /// At most this many distinct unpriced (meter, provider, model) are logged.
    static let unpricedLogLimit = 100

    /// Counts events a cost meter could not price and names each missing
    /// price once in the log, so the price table can be completed.
    func noteUnpriced(_ unpriced: [UnpricedUsage]) {
        for usage in unpriced {
            counters.unpricedEvents[usage.meter, default: 0] += 1
            guard loggedUnpriced.count < Self.unpricedLogLimit, loggedUnpriced.insert(usage).inserted else { continue }
            logger.warning("no price for an LLM model: its events do not count toward the cost meter", metadata: [
                "meterd.meter": "\(usage.meter)",
                "meterd.provider": "\(usage.provider ?? "(none)")",
                "meterd.model": "\(usage.model ?? "(none)")",
            ])
        }
    }
}
