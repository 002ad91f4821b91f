import Logging
import MeterdCore
import Testing
@testable import MeterdPipeline

@Suite struct ProcessingStagesTests {
    @Test func eachStageSubscribesToItsOwnTopics() {
        let inputs = ["gateway.usage", "ai.usage"]
        #expect(ProcessingStages.all.subscription(inputTopics: inputs, repartitionTopic: "m-repartition") == inputs + ["m-repartition"])
        #expect(ProcessingStages.decode.subscription(inputTopics: inputs, repartitionTopic: "m-repartition") == inputs)
        #expect(ProcessingStages.aggregate.subscription(inputTopics: inputs, repartitionTopic: "m-repartition") == ["m-repartition"])
    }

    @Test func splitMembersAlternateStartingWithDecoding() {
        #expect((0..<5).map { ProcessingStages.split(memberIndex: $0) } == [.decode, .aggregate, .decode, .aggregate, .decode])
    }

    @Test func inputKeyedBySubjectHasNoStageToSplit() throws {
        let configuration = MeterdConfiguration(kafka: KafkaSettings(bootstrap: "127.0.0.1:1", inputKeyedBySubject: true))
        for stages in [ProcessingStages.decode, .aggregate] {
            #expect {
                _ = try Processor(configuration: configuration, instanceId: "t", stages: stages, stats: PipelineStats(), logger: Logger(label: "t"))
            } throws: { error in
                guard case PipelineError.noStagesToSplit = error else { return false }
                return "\(error)".contains("inputKeyedBySubject")
            }
        }
    }
}
