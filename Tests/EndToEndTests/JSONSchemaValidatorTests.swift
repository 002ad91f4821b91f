import Testing

/// The test-side JSON Schema validator can fail: each keyword the topic
/// schemas use rejects a record that breaks it, and schemas using keywords
/// it does not implement are refused instead of half-checked.
@Suite("JSON Schema validator (test support)")
struct JSONSchemaValidatorTests {
    static let validRollup = #"""
    {"data":{"aggregation":"SUM","breakdown":{"model":"gpt-4o"},"customer":"acme","eventCount":3,"feature":"tokens",
    "meter":"llm_prompt_tokens","revision":2,"subjects":["acme-mobile","acme-web"],"value":1234.5,
    "windowEnd":"2024-02-01T00:01:00Z","windowStart":"2024-02-01T00:00:00Z"},"datacontenttype":"application/json",
    "id":"6f6269d609ca27200d9a95865945a444","source":"meterd/meterd","specversion":"1.0","subject":"acme",
    "time":"2024-02-01T00:01:00Z","type":"meter.rollup"}
    """#

    private func rollupSchema() throws -> JSONSchema {
        try JSONSchema(contentsOfFile: Repository.path("topics/schemas/usage.rollups.schema.json"))
    }

    /// The valid rollup with `edit` applied to its `data` object (nil removes the key).
    private func rollup(data edit: [String: JSONValue?] = [:], envelope: [String: JSONValue?] = [:]) throws -> JSONValue {
        guard case .object(var top) = try JSONValue.parse(Self.validRollup), case .object(var data)? = top["data"] else {
            throw E2EFailure("sample rollup is not an object")
        }
        for (key, value) in edit { data[key] = value }
        for (key, value) in envelope { top[key] = value }
        top["data"] = .object(data)
        return .object(top)
    }

    private func violations(_ instance: JSONValue) throws -> [String] { try rollupSchema().violations(of: instance) }

    @Test func aConformingRollupHasNoViolations() throws {
        #expect(try violations(rollup()) == [])
        #expect(try violations(rollup(envelope: ["dataschema": .string("x")])) == [], "CloudEvents extension attributes are allowed")
    }

    @Test func aMissingRequiredFieldIsReported() throws {
        #expect(try violations(rollup(data: ["eventCount": nil])) == ["/data: required property eventCount is missing"])
        #expect(try violations(rollup(envelope: ["id": nil])) == ["/: required property id is missing"])
    }

    @Test func aWrongTypeIsReported() throws {
        #expect(try violations(rollup(data: ["value": .string("12")])).first?.hasPrefix("/data/value: expected type \"number\"") == true)
        #expect(try violations(rollup(data: ["value": .bool(true)])).count == 1, "true is not a number")
        #expect(try violations(rollup(data: ["eventCount": .number(1.5)])).count == 1, "1.5 is not an integer")
        #expect(try violations(rollup(data: ["eventCount": .number(3)])) == [], "3 is an integer")
        #expect(try violations(rollup(data: ["breakdown": .object(["model": .number(4)])])).count == 1, "breakdown values are strings")
        #expect(try violations(rollup(data: ["subjects": .array([.string("a"), .null])])).count == 1)
    }

    @Test func anExtraPropertyIsReportedWhereForbidden() throws {
        #expect(try violations(rollup(data: ["delta": .number(1)])) == ["/data/delta: property delta is not allowed"])
    }

    @Test func constEnumPatternAndBoundsAreChecked() throws {
        #expect(try violations(rollup(envelope: ["type": .string("meter.rollups")])).count == 1)
        #expect(try violations(rollup(envelope: ["specversion": .string("1.1")])).count == 1)
        #expect(try violations(rollup(data: ["aggregation": .string("MEDIAN")])).count == 1)
        #expect(try violations(rollup(envelope: ["id": .string("6F6269D609CA27200D9A95865945A444")])).count == 1)
        #expect(try violations(rollup(envelope: ["source": .string("")])).count == 1, "minLength 1")
        #expect(try violations(rollup(data: ["revision": .number(0)])).count == 1, "revision ≥ 1")
        #expect(try violations(rollup(data: ["windowEnd": .string("2024-02-01T01:01:00+01:00")])).count == 1, "window times are UTC")
        #expect(try violations(rollup(data: ["subjects": .array([.string("a"), .string("a")])])).count == 1, "uniqueItems")
        let quota = try JSONSchema(contentsOfFile: Repository.path("topics/schemas/usage.quota.schema.json"))
        let event = try JSONValue.parse(#"{"specversion":"1.0","id":"68720692f248fbb5a6b15bd55a02c1f2","source":"meterd/meterd","type":"quota.reset","subject":"acme","time":"2024-02-01T01:00:00.123Z","datacontenttype":"application/json","data":{"customer":"acme","feature":"f","periodStart":"2024-02-01T00:00:00Z","periodEnd":"2024-02-02T00:00:00Z","limit":0,"usage":1,"threshold":0,"hard":false}}"#)
        #expect(quota.violations(of: event) == ["/data/limit: 0 ≤ exclusiveMinimum 0"])
    }

    @Test(arguments: [
        ("2024-02-01T00:00:00Z", true), ("2024-02-29T23:59:60.5+01:00", true), ("1999-12-31t23:59:59.123456z", true),
        ("2023-02-29T00:00:00Z", false), ("2024-02-01 00:00:00Z", false), ("2024-02-01T00:00:00", false),
        ("2024-13-01T00:00:00Z", false), ("2024-02-01T24:00:00Z", false), ("2024-02-01T00:00:00.Z", false),
        ("2024-02-01T00:00:00+0100", false), ("1706745600000", false), ("2024-02-01T00:00:00Z ", false),
    ])
    func dateTimeFormatIsChecked(text: String, valid: Bool) {
        #expect(RFC3339DateTime.isValid(text) == valid)
    }

    @Test func refsWithinTheDocumentAreFollowed() throws {
        let schema = try JSONSchema(JSONValue.parse(#"""
        {"$defs":{"positive":{"type":"integer","minimum":1}},"type":"array","items":{"$ref":"#/$defs/positive"}}
        """#), name: "inline")
        #expect(schema.violations(of: try JSONValue.parse("[1,2]")) == [])
        #expect(schema.violations(of: try JSONValue.parse("[1,0]")) == ["/1: 0 < minimum 1"])
    }

    @Test(arguments: [
        #"{"oneOf":[{"type":"string"}]}"#, #"{"format":"email"}"#, ##"{"$ref":"#/$defs/missing"}"##,
        #"{"properties":{"a":{"if":{}}}}"#, #"{"pattern":"("}"#, #"{"items":[{"type":"string"}]}"#,
    ])
    func schemasBeyondTheSupportedSubsetAreRefused(text: String) throws {
        #expect(throws: SchemaProblem.self) { try JSONSchema(JSONValue.parse(text), name: "inline") }
    }

    @Test func theParserTellsBooleansFromNumbersAndRefusesBadJSON() throws {
        #expect(try JSONValue.parse("[true,1,1.0,-0.5e1]") == .array([.bool(true), .number(1), .number(1), .number(-5)]))
        #expect(try JSONValue.parse(#"{"a":"\u00e9\ud83d\ude00\n"}"#) == .object(["a": .string("é😀\n")]))
        for bad in [#"{"a":1,"a":2}"#, "[1,]", "01", "+1", "{\"a\":1} x", "\"\u{01}\"", "[1", "nul"] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONValue.parse(bad) }
        }
    }
}
