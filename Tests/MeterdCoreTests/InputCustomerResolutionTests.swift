import MeterdCore
import Testing

@Suite struct InputCustomerResolutionTests {
    static let customers = [
        CustomerDefinition(key: "acme", subjects: ["acme-web", "acme-mobile"]),
        CustomerDefinition(key: "globex", subjects: ["gx", "acme-web"]),
    ]

    @Test func listedSubjectsResolveToTheirCustomer() {
        let extractor = InputFixtures.extractor(customers: Self.customers)
        let record = extractor?.extract(InputFixtures.kong()).usage
        #expect(record?.customer == "acme")
        #expect(record?.subject == "acme-web")
        #expect(extractor?.extract(InputFixtures.kong(consumer: #"{"username":"gx"}"#)).usage?.customer == "globex")
    }

    @Test func unknownSubjectPassesThroughAsItsOwnCustomer() {
        let extractor = InputFixtures.extractor(customers: Self.customers, unknownSubjects: .passthrough)
        #expect(extractor?.extract(InputFixtures.kong(consumer: #"{"username":"stranger"}"#)).usage?.customer == "stranger")
    }

    @Test func unknownSubjectIsRejectedUnderRejectPolicy() {
        let extractor = InputFixtures.extractor(customers: Self.customers, unknownSubjects: .reject)
        #expect(extractor?.extract(InputFixtures.kong(consumer: #"{"username":"stranger"}"#)).rejectReason == .unknownSubject)
        #expect(extractor?.extract(InputFixtures.kong(consumer: #"{"username":"acme-mobile"}"#)).usage?.customer == "acme")
    }
}
