@testable import MeterdCore
import Testing

/// The shortcuts of the extraction hot path (perf5x) against the slow paths
/// they stand in for: subjects found by their bytes, shared groupBy texts,
/// the small-integer table and per-node key hash tables.
@Suite struct InputFastPathTests {
    static func customers(_ pairs: [(String, [String])]) -> [CustomerDefinition] {
        pairs.map { CustomerDefinition(key: $0.0, subjects: $0.1) }
    }

    @Test func subjectTableFindsExactBytesOnlyAndKeepsTheFirstDuplicate() {
        let table = SubjectTable([("acme-web", "acme"), ("", "empty"), ("team-1", "t1"), ("acme-web", "other"), ("é", "e")])
        func lookUp(_ text: String) -> (String, String)? {
            Array(text.utf8).withUnsafeBufferPointer { table.lookUp($0) }.map { ($0.subject, $0.customer) }
        }
        #expect(lookUp("acme-web")?.1 == "acme")
        #expect(lookUp("team-1")?.0 == "team-1")
        #expect(lookUp("")?.1 == "empty")
        #expect(lookUp("é")?.1 == "e")
        #expect(lookUp("e\u{301}") == nil, "bytes differ: canonical equivalence is left to the String lookup")
        #expect(lookUp("acme-we") == nil)
        #expect(lookUp("team-10") == nil)
        #expect(Array<UInt8>().withUnsafeBufferPointer { SubjectTable([]).lookUp($0) } == nil)
        let many = SubjectTable((0..<1_000).map { ("team-\($0)", "c\($0 / 2)") })
        for i in stride(from: 0, to: 1_000, by: 37) {
            #expect(Array("team-\(i)".utf8).withUnsafeBufferPointer { many.lookUp($0)?.customer } == "c\(i / 2)")
        }
    }

    @Test("subjects resolve as before: escaped, canonically equivalent, first customer listed, unknown")
    func subjectResolutionThroughTheExtractor() throws {
        let extractor = try #require(InputFixtures.extractor(
            customers: Self.customers([("acme", ["acme-web"]), ("cafe", ["caf\u{E9}"]), ("dup", ["acme-web", "x"])]),
            unknownSubjects: .reject
        ))
        #expect(extractor.extract(InputFixtures.kong(consumer: #"{"username":"acme-web"}"#)).usage?.customer == "acme")
        #expect(extractor.extract(InputFixtures.kong(consumer: #"{"username":"acme\u002dweb"}"#)).usage?.customer == "acme")
        #expect(extractor.extract(InputFixtures.kong(consumer: #"{"username":"x"}"#)).usage?.customer == "dup")
        let decomposed = try #require(extractor.extract(InputFixtures.kong(consumer: #"{"username":"cafe\u0301"}"#)).usage)
        #expect(decomposed.customer == "cafe")
        #expect(Array(decomposed.subject.utf8) == Array("cafe\u{301}".utf8), "the subject keeps the record's spelling")
        #expect(extractor.extract(InputFixtures.kong(consumer: #"{"username":"acme-web2"}"#)).rejectReason == .unknownSubject)
        let cloudEvent = #"{"specversion":"1.0","id":"1","source":"s","type":"t","subject":"acme-web","data":{}}"#
        #expect(extractor.extract(cloudEvent).usage?.customer == "acme")
    }

    @Test func smallIntegersComeFromTheTableWithTheSameText() {
        for raw in ["0", "7", "42", "200", "999", "1000", "-5", "-0", "1.0", "2e2", "123456789012345"] {
            let expected = Array(raw.utf8).withUnsafeBufferPointer { JSONNumber.parse($0) }.map { JSONNumber.canonicalText($0) }
            let text = Array(raw.utf8).withUnsafeBufferPointer { JSONNumber.canonicalText(raw: $0) }
            #expect(text == expected, "\(raw)")
        }
    }

    @Test("integers parse to the correctly rounded Double, on the fast path (≤ 15 digits) and off it")
    func integerParsing() {
        var random = SeededGenerator(seed: 0x1D_E6E5)
        for round in 0..<20_000 {
            let digits = 1 + round % 18
            var text = String(1 + random.next() % 9)
            for _ in 1..<digits { text += String(random.next() % 10) }
            if round % 5 == 0 { text = "-" + text }
            let parsed = Array(text.utf8).withUnsafeBufferPointer { JSONNumber.parse($0) }
            #expect(parsed == Double(text), "\(text)")
        }
        for text in ["0", "-0", "01", "1.5", "15e1", "999999999999999", "1000000000000000", "12a", ""] {
            let parsed = Array(text.utf8).withUnsafeBufferPointer { JSONNumber.parse($0) }
            let valid = !(text.hasPrefix("0") && text.count > 1) && !text.contains("a") && !text.isEmpty
            #expect(parsed == (valid ? Double(text) : nil), "\(text)")
            if text == "-0" { #expect(parsed?.sign == .minus) }
        }
    }

    @Test func dimensionTextsMakeEachSelectorOnceUpToFourAndStayCorrectBeyond() throws {
        var texts = DimensionTexts()
        var made: [Int] = []
        for round in 0..<2 {
            for selector in [3, 1, 4, 1, 5, 9, 2, 6] {
                let text = try texts.text(ofSelector: selector) { (_: inout StringInterner) throws(InvalidValue) -> String? in
                    made.append(selector)
                    return selector == 4 ? nil : "s\(selector)"
                }
                #expect(text == (selector == 4 ? nil : "s\(selector)"), "round \(round) selector \(selector)")
            }
        }
        #expect(made == [3, 1, 4, 5, 9, 2, 6, 9, 2, 6], "3, 1, 4, 5 cached (nil too); later selectors made every time")
    }

    @Test("meters sharing groupBy selectors get the same texts as meters that do not")
    func sharedDimensions() throws {
        let meters = (0..<6).map { index in
            MeterDefinition(
                slug: "m\(index)", eventType: "kong.request", aggregation: .count,
                groupBy: ["a": "$.route.name", "b": index % 2 == 0 ? "$.response.status" : "$.consumer.username",
                          "c": "$.request.method", "d": index < 3 ? "$.latencies.kong" : "$.route.id", "e": "$.missing"]
            )
        }
        let extractor = try #require(InputFixtures.extractor(meters: meters))
        let usage = try #require(extractor.extract(InputFixtures.kong()).usage)
        #expect(usage.samples.count == 6)
        for (index, sample) in usage.samples.enumerated() {
            let b = index % 2 == 0 ? "200" : "acme-web"
            let d = index < 3 ? "3" : "r-1"
            #expect(sample.dimensions == ["chat", b, "POST", d, nil], "meter \(index)")
        }
    }

    @Test("meters with the same groupBy selectors share one dimensions array; other meters get their own, right values")
    func sharedDimensionArrays() throws {
        func meter(_ slug: String, _ groupBy: [String: String], value: String? = nil) -> MeterDefinition {
            MeterDefinition(
                slug: slug, eventType: "kong.request", aggregation: value == nil ? .count : .sum,
                valueProperty: value, groupBy: groupBy
            )
        }
        let routeStatus = ["a": "$.route.name", "b": "$.response.status"]
        let meters = [
            meter("same1", routeStatus),
            meter("same2", routeStatus),
            meter("noValue", ["a": "$.route.name", "b": "$.consumer.username"], value: "$.missing"),
            meter("afterNoValue", ["a": "$.route.name", "b": "$.consumer.username"]),
            meter("swapped", ["b": "$.route.name", "a": "$.response.status"]),
            meter("none", [:]),
            meter("one", ["a": "$.route.name"]),
            meter("three", ["a": "$.route.name", "b": "$.response.status", "c": "$.request.method"]),
            meter("threeAgain", ["a": "$.route.name", "b": "$.response.status", "c": "$.request.method"]),
            meter("backToTwo", routeStatus),
        ]
        let extractor = try #require(InputFixtures.extractor(meters: meters))
        let usage = try #require(extractor.extract(InputFixtures.kong()).usage)
        let expected: [(Int, [String?])] = [
            (0, ["chat", "200"]), (1, ["chat", "200"]), (3, ["chat", "acme-web"]), (4, ["200", "chat"]),
            (5, []), (6, ["chat"]), (7, ["chat", "200", "POST"]), (8, ["chat", "200", "POST"]), (9, ["chat", "200"]),
        ]
        #expect(usage.samples.map(\.meterIndex) == expected.map(\.0))
        for (sample, (index, dimensions)) in zip(usage.samples, expected) {
            #expect(sample.dimensions == dimensions, "meter \(index)")
        }
    }

    @Test("key lookups through a node's hash table, and through the edge scan when long keys collide")
    func keyLookups() {
        let plain = (0..<40).map { "key-\($0)" } + ["a", "", "completion_tokens", "prompt_tokens", "x-y", "é"]
        // Keys that share their first 8 bytes and their length always hash alike: that node keeps the linear scan.
        let colliding = plain + ["completion_tokens_a", "completion_tokens_b"] + (0..<20).map { "same_prefix_\($0)" }
        for (keys, hashed) in [(plain, true), (colliding, false)] {
            let trie = SelectorTrie(paths: keys.map { [.key($0)] } + [[.index(2)]])
            #expect((trie.nodes[0].keyTableShift > 0) == hashed)
            trie.withView { view in
                for (slot, key) in keys.enumerated() {
                    let child = Array(key.utf8).withUnsafeBufferPointer { view.child(of: 0, key: $0) }
                    #expect(child >= 0 && view.nodes[child].slot == slot, "\(key)")
                }
                for other in ["key-40", "b", "completion_tokens_c", "same_prefix_", "x-z", "e"] {
                    #expect(Array(other.utf8).withUnsafeBufferPointer { view.child(of: 0, key: $0) } == -1, "\(other)")
                }
                #expect(view.child(of: 0, index: 2) >= 0)
                #expect(view.child(of: 0, index: 1) == -1)
            }
        }
    }
}
