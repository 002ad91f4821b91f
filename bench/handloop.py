"""The exactly-once consume-transform-produce loop a team would write by hand
with confluent-kafka and orjson, doing meterd's metering work (metering.py).

One process owns every input partition. Per (customer, window) it keeps the
rollup groups (count, sum, subjects); per (customer, feature, period) the
quota usage. Every commit interval, in one Kafka transaction: rollups of the
windows closed by the watermark (the smallest per-partition stream time
minus grace), the changed state as records of a compacted state topic
(restored at start), the quota events produced on the way, and the input
offsets (send_offsets_to_transaction).
"""

import argparse
import signal
import time

import orjson
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from metering import Metering, Progress, rollup_event

running = True


def stop(*_):
    global running
    running = False


class HandLoop:
    def __init__(self, args):
        self.args = args
        self.metering = Metering(args.config)
        self.window_ms = self.metering.window_ms
        self.grace_ms = self.metering.grace_ms
        common = {"bootstrap.servers": args.bootstrap, "client.id": f"handloop-{args.instance}"}
        self.consumer = Consumer(dict(common, **{
            "group.id": args.group, "enable.auto.commit": False, "isolation.level": "read_committed",
            "auto.offset.reset": "earliest", "fetch.max.bytes": 52428800, "max.partition.fetch.bytes": 5242880,
            "queued.max.messages.kbytes": 262144,
        }))
        self.producer = Producer(dict(common, **{
            "transactional.id": f"{args.group}-{args.instance}", "compression.type": "lz4", "linger.ms": 5,
            "queue.buffering.max.messages": 1000000,
        }))
        self.windows = {}  # (customer, window start) -> {(feature, breakdown): [count, sum, subjects]}
        self.usage = {}  # (customer, feature, period start) -> usage
        self.changed_windows = set()
        self.changed_usage = set()
        self.stream_time = {}  # input partition -> greatest event time seen
        self.closed_before = 0  # windows starting before this were emitted
        self.processed = 0
        self.late = 0
        self.invalid = 0
        self.progress = Progress(args.progress)

    def produce(self, topic, key, value):
        while True:
            try:
                self.producer.produce(topic, key=key, value=value)
                return
            except BufferError:
                self.producer.poll(0.05)

    def restore(self):
        """Reads the state topic to its end (a fresh run finds it empty)."""
        reader = Consumer({"bootstrap.servers": self.args.bootstrap, "group.id": f"{self.args.group}-restore",
                           "enable.auto.commit": False, "isolation.level": "read_committed"})
        metadata = reader.list_topics(self.args.state, timeout=10).topics.get(self.args.state)
        partitions = [TopicPartition(self.args.state, p, 0) for p in (metadata.partitions if metadata else {})]
        ends = {tp.partition: reader.get_watermark_offsets(tp, timeout=10)[1] for tp in partitions}
        pending = {p for p, end in ends.items() if end > 0}
        if pending:
            reader.assign(partitions)
        while pending:
            for message in reader.consume(10000, 1.0):
                if message.error():
                    continue
                kind, *rest = message.key().decode().split("|")
                value = None if message.value() is None else orjson.loads(message.value())
                if kind == "w":
                    key = (rest[0], int(rest[1]))
                    if value is None:
                        self.windows.pop(key, None)
                    else:
                        self.windows[key] = {(f, tuple(bk)): [c, s, set(subj)] for f, bk, c, s, subj in value}
                elif kind == "q" and value is not None:
                    self.usage[(rest[0], rest[1], int(rest[2]))] = value
                if message.offset() + 1 >= ends[message.partition()]:
                    pending.discard(message.partition())
        reader.close()

    def process(self, message):
        partition = message.partition()
        try:
            extracted = self.metering.extract(orjson.loads(message.value()))
        except orjson.JSONDecodeError:
            extracted = None
        self.processed += 1
        if extracted is None:
            self.invalid += 1
            return
        customer, event_ms, subject, samples = extracted
        if event_ms > self.stream_time.get(partition, -1):
            self.stream_time[partition] = event_ms
        window_start = event_ms - event_ms % self.window_ms
        if window_start < self.closed_before:
            self.late += 1
            return
        window_key = (customer, window_start)
        groups = self.windows.get(window_key)
        if groups is None:
            groups = self.windows[window_key] = {}
        self.changed_windows.add(window_key)
        for feature, breakdown, value in samples:
            group = groups.get((feature, breakdown))
            if group is None:
                group = groups[(feature, breakdown)] = [0, 0, set()]
            group[0] += 1
            group[1] += value
            group[2].add(subject)
            period_start = self.metering.period_start(customer, feature, event_ms)
            if period_start is not None:
                usage_key = (customer, feature, period_start)
                before = self.usage.get(usage_key, 0)
                self.usage[usage_key] = before + value
                self.changed_usage.add(usage_key)
                for event in self.metering.quota_events(customer, feature, event_ms, before, before + value):
                    self.produce(self.args.quota, customer.encode(), orjson.dumps(event))

    def commit(self):
        if self.stream_time:
            watermark = min(self.stream_time.values()) - self.grace_ms
            self.closed_before = max(self.closed_before, watermark - watermark % self.window_ms)
            closed = [key for key in self.windows if key[1] + self.window_ms <= watermark]
            for customer, window_start in closed:
                for (feature, breakdown), (count, total, subjects) in self.windows.pop((customer, window_start)).items():
                    key, event = rollup_event(self.metering, customer, feature, breakdown, window_start, count, total, subjects)
                    self.produce(self.args.rollups, key.encode(), orjson.dumps(event))
                self.produce(self.args.state, f"w|{customer}|{window_start}".encode(), None)
                self.changed_windows.discard((customer, window_start))
        for customer, window_start in self.changed_windows:
            groups = self.windows[(customer, window_start)]
            value = [[f, list(bk), c, s, sorted(subj)] for (f, bk), (c, s, subj) in groups.items()]
            self.produce(self.args.state, f"w|{customer}|{window_start}".encode(), orjson.dumps(value))
        for customer, feature, period_start in self.changed_usage:
            self.produce(self.args.state, f"q|{customer}|{feature}|{period_start}".encode(),
                         orjson.dumps(self.usage[(customer, feature, period_start)]))
        self.changed_windows.clear()
        self.changed_usage.clear()
        assignment = self.consumer.assignment()
        if assignment:
            positions = [tp for tp in self.consumer.position(assignment) if tp.offset >= 0]
            if positions:
                self.producer.send_offsets_to_transaction(positions, self.consumer.consumer_group_metadata())
        self.producer.commit_transaction()
        self.producer.begin_transaction()
        self.progress.write(self.processed)

    def run(self):
        self.producer.init_transactions()
        self.restore()
        self.consumer.subscribe([self.args.input], on_revoke=lambda consumer, partitions: self.commit())
        self.producer.begin_transaction()
        self.progress.write(0)
        last_commit = last_progress = time.monotonic()
        while running:
            for message in self.consumer.consume(10000, 0.1):
                if message.error():
                    if message.error().code() != KafkaError._PARTITION_EOF:
                        print(f"handloop: consume error {message.error()}", flush=True)
                    continue
                self.process(message)
            if time.monotonic() - last_progress >= 0.1:
                self.progress.write(self.processed)
                last_progress = time.monotonic()
            if time.monotonic() - last_commit >= self.args.commit_interval:
                self.commit()
                last_commit = time.monotonic()
        self.commit()
        self.consumer.close()
        print(f"handloop: processed {self.processed}, late {self.late}, invalid {self.invalid}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--config", required=True, help="the meterd YAML file")
    parser.add_argument("--input", required=True)
    parser.add_argument("--rollups", required=True)
    parser.add_argument("--quota", required=True)
    parser.add_argument("--state", required=True, help="compacted state topic")
    parser.add_argument("--group", required=True)
    parser.add_argument("--instance", default="1")
    parser.add_argument("--commit-interval", type=float, default=1.0)
    parser.add_argument("--progress", help="file to write processed=<n> to, every 0.1 s")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    HandLoop(args).run()


if __name__ == "__main__":
    main()
