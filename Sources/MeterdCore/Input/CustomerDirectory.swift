/// Maps gateway subjects to billing customers (`customers[].subjects`) and
/// applies the `unknownSubjects` policy.
struct CustomerDirectory: Sendable {
    private let customerBySubject: [String: String]
    private let policy: UnknownSubjectPolicy
    private let subjects: SubjectTable

    /// When a subject is listed under several customers, the first listed wins
    /// (configuration validation reports the conflict).
    init(customers: [CustomerDefinition], policy: UnknownSubjectPolicy) {
        var map: [String: String] = [:]
        for customer in customers {
            for subject in customer.subjects where map[subject] == nil {
                map[subject] = customer.key
            }
        }
        customerBySubject = map
        self.policy = policy
        subjects = SubjectTable(customers.flatMap { customer in
            customer.subjects.compactMap { subject in map[subject].map { (subject, $0) } }
        })
    }

    /// The configured subject spelled exactly `bytes` and its customer, nil
    /// when none is (then ask `customer(of:)` with the decoded text).
    func configuredSubject(_ bytes: UnsafeBufferPointer<UInt8>) -> (subject: String, customer: String)? {
        subjects.lookUp(bytes)
    }

    /// The customer of `subject`, or nil when it is unknown and the policy rejects.
    func customer(of subject: String) -> String? {
        if let customer = customerBySubject[subject] { return customer }
        return policy == .passthrough ? subject : nil
    }
}
