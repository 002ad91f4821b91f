import Logging
import MeterdConfig
import MeterdKafka

/// Creates the project's topics on an embedded broker, as `meterd broker`
/// and `meterd demo` both do at start: every definition of `topics/`
/// (internal ones named for an appId), then further topics by name.
enum EmbeddedBrokerTopics {
    /// - Parameters:
    ///   - directory: the `topics/` folder; `nil` creates only `extra`.
    ///   - extra: further topics, created unless the folder defined them.
    /// - Returns: `name:partitions` of every topic created, in order.
    static func create(
        on broker: EmbeddedBroker,
        directory: String?,
        appId: String,
        extra: [(name: String, partitions: Int)],
        logger: Logger
    ) throws -> [String] {
        var created: [String] = []
        var names: Set<String> = []
        if let directory {
            let catalog = try TopicCatalog.load(directory: directory, appId: appId)
            for topic in catalog.topics {
                try broker.createTopic(topic.name, partitions: topic.partitions, replicationFactor: topic.replicationFactor)
                created.append("\(topic.name):\(topic.partitions)")
                names.insert(topic.name)
            }
        } else {
            logger.warning("no topics/ folder found; only the topics named on the command line or by the configuration are created")
        }
        for (name, partitions) in extra where !names.contains(name) {
            try broker.createTopic(name, partitions: partitions)
            created.append("\(name):\(partitions)")
            names.insert(name)
        }
        return created
    }
}
