import MeterdCore

extension HostileRecordGenerator {
    /// A valid CloudEvent of type `kong.request` whose `data` is a Kong-like
    /// object: structured (`cloudEvent`), binary mode (`binaryMode`), or
    /// binary mode with no data at all (`binaryEmptyData`).
    mutating func cloudEvent(_ kind: String) -> HostileRecord {
        serial += 1
        let id = "ce-\(serial)"
        let subject = "app-\(int(1...9))"
        let millis = Int64(int(0...4_000_000)) * 1_000_000 + Int64(int(0...999))
        let recordTimestamp: Int64 = 1_650_000_000_000
        let withTime = int(0...3) != 0
        let tokens = int(0...3) == 0 ? nil : int(0...9_999)
        var data = #"{"route":{"name":"chat"},"response":{"status":201}"#
        if let tokens { data += #","ai":{"proxy":{"usage":{"prompt_tokens":\#(tokens)},"meta":{"provider_name":"openai","response_model":"gpt-4o"}}}"# }
        data += "}"
        var samples = [MeterSample(meterIndex: 0, value: .none, dimensions: ["chat", "201"])]
        if let tokens { samples.append(MeterSample(meterIndex: 1, value: .number(Double(tokens)), dimensions: ["gpt-4o", "openai"])) }
        let time = withTime ? millis : recordTimestamp
        var usage = UsageRecord(customer: subject, subject: subject, source: "gw", id: id, eventTimeMillis: time, samples: samples)
        switch kind {
        case "cloudEvent":
            let timeMember = withTime ? #","time":"\#(Self.rfc3339(millis))""# : ""
            let json = #"{"specversion":"1.0","id":"\#(id)","source":"gw","type":"kong.request","subject":"\#(subject)"\#(timeMember),"data":\#(data)}"#
            return HostileRecord(kind: kind, bytes: Array(json.utf8), timestamp: recordTimestamp, expected: .usage(usage))
        case "binaryMode":
            let headers = Self.binaryHeaders(id: id, subject: subject, time: withTime ? Self.rfc3339(millis) : nil)
            return HostileRecord(kind: kind, bytes: Array(data.utf8), headers: headers, timestamp: recordTimestamp, expected: .usage(usage))
        default:
            usage.samples = [MeterSample(meterIndex: 0, value: .none, dimensions: [nil, nil])]
            let headers = Self.binaryHeaders(id: id, subject: subject, time: withTime ? Self.rfc3339(millis) : nil)
            return HostileRecord(kind: kind, bytes: [], headers: headers, timestamp: recordTimestamp, expected: .usage(usage))
        }
    }

    /// `millis` as RFC 3339 UTC with milliseconds, by the days-to-civil
    /// algorithm (independent of meterd's parser).
    static func rfc3339(_ millis: Int64) -> String {
        let days = millis / 86_400_000
        let msOfDay = millis % 86_400_000
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let ms = msOfDay % 1_000
        let fraction = ms < 10 ? "00\(ms)" : (ms < 100 ? "0\(ms)" : "\(ms)")
        return "\(year)-\(two(month))-\(two(day))T\(two(msOfDay / 3_600_000)):\(two(msOfDay / 60_000 % 60)):\(two(msOfDay / 1_000 % 60)).\(fraction)Z"
    }
}
