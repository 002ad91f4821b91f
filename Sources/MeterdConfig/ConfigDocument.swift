import MeterdCore
import Yams

/// Reading the top level of `meterd.yaml`: scalars, `kafka`, `windows` and
/// `outputs`. Missing keys keep `MeterdConfiguration`'s defaults.
extension YAMLNodeReader {
    static let rootKeys = [
        "appId", "kafka", "windows", "commitInterval", "meters", "features", "plans", "customers", "prices",
        "unknownSubjects", "outputs", "maxRecordBytes",
    ]
    static let kafkaKeys = ["bootstrap", "inputTopics", "inputKeyedBySubject", "mainThreadNice"]

    /// The configuration `root` describes, as far as it could be read; what
    /// could not be read is in `problems` and left at its default.
    mutating func configuration(from root: Node) -> MeterdConfiguration {
        var config = MeterdConfiguration()
        guard let fields = fields(root, at: .root, known: Self.rootKeys) else { return config }
        if let appId = string(fields, "appId") { config.appId = appId }
        if let node = fields["kafka"] { config.kafka = kafka(node, at: .root.key("kafka")) }
        if let node = fields["windows"] { config.windows = windows(node, at: .root.key("windows")) }
        if let millis = duration(fields, "commitInterval") { config.commitIntervalMillis = millis }
        if let node = fields["meters"] { config.meters = meters(node, at: .root.key("meters")) }
        if let node = fields["features"] { config.features = features(node, at: .root.key("features")) }
        if let node = fields["plans"] { config.plans = plans(node, at: .root.key("plans")) }
        if let node = fields["customers"] { config.customers = customers(node, at: .root.key("customers")) }
        if let node = fields["prices"] { config.prices = prices(node, at: .root.key("prices")) }
        if let policy = choice(fields, "unknownSubjects", among: [UnknownSubjectPolicy.passthrough, .reject]) {
            config.unknownSubjects = policy
        }
        if let node = fields["outputs"] { config.outputs = outputs(node, at: .root.key("outputs")) }
        if let bytes = integer(fields, "maxRecordBytes") { config.maxRecordBytes = bytes }
        return config
    }

    /// `bootstrap`, `inputTopics`, `inputKeyedBySubject`, `mainThreadNice`; every other key is
    /// a librdkafka property kept verbatim as a string.
    mutating func kafka(_ node: Node, at path: ConfigPath) -> KafkaSettings {
        var kafka = KafkaSettings()
        guard let fields = fields(node, at: path, known: nil) else { return kafka }
        for key in fields.order {
            guard let value = fields[key] else { continue }
            switch key {
            case "bootstrap":
                if let servers = strings(value, at: path.key(key)) { kafka.bootstrap = servers.joined(separator: ",") }
            case "inputTopics":
                if let topics = strings(value, at: path.key(key)) { kafka.inputTopics = topics }
            case "inputKeyedBySubject":
                if let keyed = bool(fields, key) { kafka.inputKeyedBySubject = keyed }
            case "mainThreadNice":
                if let nice = integer(fields, key) { kafka.mainThreadNice = nice }
            default:
                if let property = property(key, value, at: path.key(key)) { kafka.properties[key] = property }
            }
        }
        return kafka
    }

    private mutating func property(_ key: String, _ value: Node, at path: ConfigPath) -> String? {
        if !key.contains("."), let known = NameSuggestion.nearest(to: key, among: Self.kafkaKeys) {
            report(path, at: value.mark, "unknown key '\(key)'", hint: "did you mean '\(known)'?")
            return nil
        }
        guard let scalar = value.scalar, !isNull(value) else {
            let hint = value.mapping != nil ? "librdkafka properties are flat: write e.g. 'security.protocol: SASL_SSL'" : nil
            wrongType(value, at: path, expected: "a librdkafka property value", hint: hint)
            return nil
        }
        return scalar.string
    }

    mutating func windows(_ node: Node, at path: ConfigPath) -> WindowSettings {
        var windows = WindowSettings()
        guard let fields = fields(node, at: path, known: ["size", "grace", "allowedLateness", "idleTimeout"]) else { return windows }
        if let millis = duration(fields, "size") { windows.sizeMillis = millis }
        if let millis = duration(fields, "grace") { windows.graceMillis = millis }
        if let millis = duration(fields, "allowedLateness") { windows.allowedLatenessMillis = millis }
        if let millis = duration(fields, "idleTimeout") { windows.idleTimeoutMillis = millis }
        return windows
    }

    mutating func outputs(_ node: Node, at path: ConfigPath) -> OutputTopics {
        var outputs = OutputTopics()
        guard let fields = fields(node, at: path, known: ["rollups", "quota", "dlq"]) else { return outputs }
        if let topic = string(fields, "rollups") { outputs.rollups = topic }
        if let topic = string(fields, "quota") { outputs.quota = topic }
        if let topic = string(fields, "dlq") { outputs.dlq = topic }
        return outputs
    }
}
