/// One Kong request as the generator made it (what the oracle reads; the
/// JSON bytes are rendered from it).
struct KongEvent: Sendable {
    struct AIUsage: Sendable {
        let promptTokens: Int
        /// `nil` writes `"prompt_tokens":"<bad>"` instead: an unusable value.
        let badPromptTokens: String?
        let completionTokens: Int
        /// Cost in 1/256 units, so every sum is exact in a Double.
        let costUnits: Int
        let provider: String
        let model: String

        var cost: Double { Double(costUnits) / 256 }
    }

    let requestId: String
    let startedAt: Int64
    /// `nil` leaves out the `consumer` object (→ `missing_subject`).
    let subject: String?
    let route: String
    let status: Int
    let ai: AIUsage?

    /// Kong log serializer JSON (field order as Kong writes it, roughly).
    var json: String {
        var text = #"{"request":{"id":"\#(requestId)","method":"POST","uri":"/v1/\#(route)","size":\#(180 + requestId.count)},"#
        text += #""started_at":\#(startedAt),"#
        if let subject {
            text += #""consumer":{"id":"id-\#(subject)","username":"\#(subject)"},"#
        }
        text += #""route":{"id":"route-\#(route)","name":"\#(route)"},"service":{"name":"gateway"},"#
        text += #""response":{"status":\#(status),"size":512},"latencies":{"request":42,"kong":3,"proxy":39}"#
        if let ai {
            let prompt = ai.badPromptTokens.map { #""\#($0)""# } ?? "\(ai.promptTokens)"
            text += #","ai":{"proxy":{"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(ai.completionTokens),"#
            text += #""total_tokens":\#(ai.promptTokens + ai.completionTokens),"cost":\#(ai.cost)},"#
            text += #""meta":{"provider_name":"\#(ai.provider)","request_model":"\#(ai.model)","response_model":"\#(ai.model)"}}}"#
        }
        return text + "}"
    }
}

/// One input record to produce, with the partition it goes to.
struct GeneratedRecord: Sendable {
    enum Kind: Sendable {
        /// A usable Kong record (possibly an exact re-send of an earlier one).
        case usage(KongEvent)
        /// A record meterd must dead-letter with this reason.
        case rejected(reason: String)
    }

    let kind: Kind
    let bytes: [UInt8]
    let partition: Int32
    /// The Kafka key: the send sequence number (Kong writes none; any key is allowed).
    let key: [UInt8]
}

/// A produced record: what was sent and where it landed.
struct ProducedRecord: Sendable {
    let record: GeneratedRecord
    let partition: Int32
    let offset: Int64
}
