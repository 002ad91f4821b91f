"""A Quix Streams application doing meterd's metering work (metering.py) with
processing_guarantee="exactly-once", the way the Quix documentation shows it:
decode, re-key by customer (group_by: a repartition topic), then one branch
with a 1-minute tumbling window reduced to the customer's rollup groups and
emitted when it closes (.final(), partition stream time), one stateful branch
counting quota usage per period and emitting threshold events.

The embedded broker has no DescribeConfigs handler, so topic inspection here
reads partition counts from metadata only; the bench driver creates every
topic up front (`--list-topics` prints the internal ones).
"""

import argparse
import threading
import time

from quixstreams import Application
from quixstreams.models.topics.admin import TopicAdmin
from quixstreams.models.topics.topic import TopicConfig

from metering import Metering, Progress, rollup_event

_FAKE_PARTITIONS = None  # set by --list-topics: every topic "exists" with this many partitions


def _inspect_from_metadata(self, topic_names, timeout=30):
    extra = {"retention.ms": "604800000", "retention.bytes": "-1"}
    if _FAKE_PARTITIONS is not None:
        return {name: TopicConfig(num_partitions=_FAKE_PARTITIONS, replication_factor=1, extra_config=extra) for name in topic_names}
    topics = self.list_topics(timeout=timeout)
    return {
        name: TopicConfig(num_partitions=len(topics[name].partitions), replication_factor=1, extra_config=extra)
        if name in topics else None
        for name in topic_names
    }


TopicAdmin.inspect_topics = _inspect_from_metadata


def build(args, metering, counter):
    app = Application(
        broker_address=args.bootstrap, consumer_group=args.group, auto_offset_reset="earliest",
        commit_interval=args.commit_interval, processing_guarantee="exactly-once", auto_create_topics=False,
        state_dir=args.state_dir, loglevel="WARNING",
        consumer_extra_config={"fetch.max.bytes": 52428800, "max.partition.fetch.bytes": 5242880},
        producer_extra_config={"compression.type": "lz4", "linger.ms": 5},
    )
    input_topic = app.topic(
        args.input, value_deserializer="json",
        timestamp_extractor=lambda value, headers, timestamp, kind: value.get("started_at", timestamp) if isinstance(value, dict) else timestamp,
    )
    rollups_topic = app.topic(args.rollups, value_serializer="json")
    quota_topic = app.topic(args.quota, value_serializer="json")

    def usage(value):
        extracted = metering.extract(value)
        if extracted is None:
            counter[0] += 1  # done with: it never reaches the customer stage
            return None
        customer, event_ms, subject, samples = extracted
        return {"customer": customer, "subject": subject, "ms": event_ms,
                "samples": [[feature, "\x1f".join(map(str, breakdown)), list(breakdown), amount] for feature, breakdown, amount in samples]}

    def quota(value, state):
        counter[0] += 1  # every usable record passes here once, after the repartition
        events = []
        for feature, _, _, amount in value["samples"]:
            period_start = metering.period_start(value["customer"], feature, value["ms"])
            if period_start is None:
                continue
            key = f"{feature}|{period_start}"
            before = state.get(key, 0)
            state.set(key, before + amount)
            events.extend(metering.quota_events(value["customer"], feature, value["ms"], before, before + amount))
        return events

    def initializer(value):
        return reducer({}, value)

    def reducer(groups, value):
        for feature, group_id, breakdown, amount in value["samples"]:
            group = groups.get(feature + "\x1e" + group_id)
            if group is None:
                group = groups[feature + "\x1e" + group_id] = [0, 0, [], breakdown]
            group[0] += 1
            group[1] += amount
            if value["subject"] not in group[2]:
                group[2].append(value["subject"])
        return groups

    def rollups(window, customer, timestamp, headers):
        events = []
        for name, (count_, total, subjects, breakdown) in window["value"].items():
            feature = name.split("\x1e", 1)[0]
            key, event = rollup_event(metering, customer, feature, tuple(breakdown), window["start"], count_, total, subjects)
            event["partitionkey"] = key
            events.append(event)
        return events

    sdf = app.dataframe(input_topic)
    sdf = sdf.apply(usage).filter(lambda value: value is not None)
    sdf = sdf.group_by(lambda value: value["customer"], name="customer")
    sdf.apply(quota, stateful=True, expand=True).to_topic(quota_topic, key=lambda event: event["subject"])
    windows = sdf.tumbling_window(metering.window_ms, grace_ms=metering.grace_ms).reduce(reducer, initializer)
    windows.final(closing_strategy="partition").apply(rollups, metadata=True, expand=True) \
        .to_topic(rollups_topic, key=lambda event: event["partitionkey"])
    return app


def main():
    global _FAKE_PARTITIONS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--config", required=True, help="the meterd YAML file")
    parser.add_argument("--input", required=True)
    parser.add_argument("--rollups", required=True)
    parser.add_argument("--quota", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--state-dir", default="/tmp/quix-bench-state")
    parser.add_argument("--commit-interval", type=float, default=1.0)
    parser.add_argument("--progress", help="file to write processed=<n> to, every 0.1 s")
    parser.add_argument("--list-topics", type=int, metavar="PARTITIONS",
                        help="print the internal topics (name:partitions) for an input of PARTITIONS partitions and exit")
    args = parser.parse_args()
    metering = Metering(args.config)
    counter = [0]
    if args.list_topics:
        _FAKE_PARTITIONS = args.list_topics
        app = build(args, metering, counter)
        manager = app._topic_manager
        internal = list(manager.repartition_topics.values()) + manager.changelog_topics_list
        for topic in internal:
            print(f"{topic.name}:{args.list_topics}")
        return
    app = build(args, metering, counter)
    progress = Progress(args.progress)

    def report():
        while True:
            progress.write(counter[0])
            time.sleep(0.1)

    threading.Thread(target=report, daemon=True).start()
    app.run()
    progress.write(counter[0])


if __name__ == "__main__":
    main()
