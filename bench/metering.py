"""The metering work of the Python contenders of `make bench`, read from the
same meterd YAML file that `meterd run` gets.

One Kong record becomes (customer, event time, samples); a sample is
(feature, breakdown, value) where value is 1 for COUNT meters. Subjects map
to customers as in meterd (`customers[].subjects`, unknown subjects pass
through). Quota rules (plan + customer overrides) give threshold events:
a threshold t% is crossed when usage >= limit * t / 100; 100% is
`quota.exceeded`, others `quota.threshold` (SPEC section 4).

Deliberately simpler than meterd: COUNT and SUM only, Kong records only,
no dedupe, no late revisions, no `quota.reset`.
"""

import datetime
import hashlib
import os
import re

import yaml

_SELECTOR_PART = re.compile(r'\.([A-Za-z_][A-Za-z0-9_-]*)|\["([^"]*)"\]|\[(\d+)\]')
_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d)$")
_UNITS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def selector(text):
    """`$.a.b`, `$.a["x-y"]`, `$.a[0]` as a function of the event root."""
    if not text.startswith("$"):
        raise ValueError(f"selector must start with $: {text!r}")
    parts, position = [], 1
    while position < len(text):
        match = _SELECTOR_PART.match(text, position)
        if not match:
            raise ValueError(f"unsupported selector {text!r}")
        name, quoted, index = match.groups()
        parts.append(int(index) if index is not None else (name if name is not None else quoted))
        position = match.end()
    parts = tuple(parts)

    def get(root):
        value = root
        for part in parts:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        return value

    return get


def duration_ms(text):
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"bad duration {text!r}")
    return int(match.group(1)) * _UNITS[match.group(2)]


def dimension_text(value):
    if value is None or isinstance(value, (dict, list)):
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def number(value):
    if isinstance(value, bool):
        raise ValueError("boolean is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return float(value)
    raise ValueError(f"not a number: {value!r}")


class Feature:
    def __init__(self, spec, meter):
        self.key = spec["key"]
        self.meter = meter["slug"]
        self.aggregation = meter["aggregation"]
        if self.aggregation not in ("COUNT", "SUM"):
            raise ValueError(f"the bench contenders implement COUNT and SUM only, not {self.aggregation}")
        self.event_type = meter["eventType"]
        self.value = selector(meter["valueProperty"]) if meter.get("valueProperty") else None
        group_by = meter.get("groupBy") or {}
        self.dimensions = {name: selector(path) for name, path in group_by.items()}
        self.filter = {name: set(map(str, values)) for name, values in (spec.get("filter") or {}).items()}
        self.breakdown = sorted(spec.get("breakdown") or [])


class Metering:
    """The compiled configuration: what a record counts toward, and quotas."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as handle:
            config = yaml.safe_load(handle)
        windows = config.get("windows") or {}
        self.window_ms = duration_ms(windows.get("size", "1m"))
        self.grace_ms = duration_ms(windows.get("grace", "10s"))
        meters = {meter["slug"]: meter for meter in config["meters"]}
        self.features = [Feature(spec, meters[spec["meter"]]) for spec in config["features"]]
        self.feature_by_key = {feature.key: feature for feature in self.features}
        self.customer_of = {}
        self.rules = {}
        plans = config.get("plans") or {}
        for customer in config.get("customers") or []:
            for subject in customer.get("subjects") or []:
                self.customer_of[subject] = customer["key"]
            rules = {}
            for feature, rule in (plans.get(customer.get("plan")) or {}).items():
                rules[feature] = dict(rule, **((customer.get("overrides") or {}).get(feature) or {}))
            self.rules[customer["key"]] = rules

    def extract(self, record):
        """(customer, event time ms, subject, [(feature, breakdown tuple, value)]) or None when unusable."""
        if not isinstance(record, dict) or not isinstance(record.get("request"), dict):
            return None
        consumer = record.get("consumer") or {}
        subject = consumer.get("username") or consumer.get("custom_id") or consumer.get("id")
        started = record.get("started_at")
        if not subject or not isinstance(started, int):
            return None
        customer = self.customer_of.get(subject, subject)
        samples = []
        for feature in self.features:
            if feature.event_type != "kong.request":
                continue
            if feature.value is None:
                value = 1
            else:
                raw = feature.value(record)
                if raw is None:
                    continue
                try:
                    value = number(raw)
                except ValueError:
                    return None
            dims = {name: dimension_text(get(record)) for name, get in feature.dimensions.items()}
            if any(dims.get(name) not in allowed for name, allowed in feature.filter.items()):
                continue
            samples.append((feature.key, tuple(dims.get(name) for name in feature.breakdown), value))
        return customer, started, subject, samples

    def quota_events(self, customer, feature, event_ms, before, after):
        """The quota CloudEvents for usage going from `before` to `after` in the period of `event_ms`."""
        rule = self.rules.get(customer, {}).get(feature)
        if rule is None:
            return []
        limit = float(rule["limit"])
        events = []
        for threshold in rule.get("thresholds", [100]):
            level = limit * threshold / 100
            if before < level <= after:
                start, end = period(rule["period"], event_ms)
                events.append(quota_event(customer, feature, start, end, rule, after, threshold))
        return events

    def period_start(self, customer, feature, event_ms):
        rule = self.rules.get(customer, {}).get(feature)
        return None if rule is None else period(rule["period"], event_ms)[0]


def period(name, event_ms):
    """(start ms, end ms) of the UTC hour/day/week/month holding `event_ms`."""
    if name == "hour":
        start = event_ms - event_ms % 3_600_000
        return start, start + 3_600_000
    if name == "day":
        start = event_ms - event_ms % 86_400_000
        return start, start + 86_400_000
    day = datetime.datetime.fromtimestamp(event_ms // 1000, tz=datetime.timezone.utc).date()
    if name == "week":
        first = day - datetime.timedelta(days=day.weekday())
        last = first + datetime.timedelta(days=7)
    elif name == "month":
        first = day.replace(day=1)
        last = (first + datetime.timedelta(days=32)).replace(day=1)
    else:
        raise ValueError(f"unknown period {name!r}")
    to_ms = lambda d: int(datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.timezone.utc).timestamp() * 1000)
    return to_ms(first), to_ms(last)


def rfc3339(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _event_id(*parts):
    return hashlib.sha256("\x00".join(map(str, parts)).encode()).hexdigest()[:32]


def quota_event(customer, feature, start, end, rule, usage, threshold):
    kind = "quota.exceeded" if threshold == 100 else "quota.threshold"
    return {
        "specversion": "1.0", "id": _event_id(customer, feature, start, threshold), "source": "bench",
        "type": kind, "subject": customer, "time": rfc3339(start), "datacontenttype": "application/json",
        "data": {
            "customer": customer, "feature": feature, "periodStart": rfc3339(start), "periodEnd": rfc3339(end),
            "limit": rule["limit"], "usage": usage, "threshold": threshold, "hard": bool(rule.get("hard", False)),
        },
    }


def rollup_event(metering, customer, feature_key, breakdown, window_start, count, total, subjects):
    feature = metering.feature_by_key[feature_key]
    key = "/".join([customer, feature_key, str(window_start)] + [
        f"{name}={value}" for name, value in zip(feature.breakdown, breakdown) if value is not None
    ])
    value = count if feature.aggregation == "COUNT" else total
    event = {
        "specversion": "1.0", "id": _event_id(key, 1), "source": "bench", "type": "meter.rollup",
        "subject": customer, "time": rfc3339(window_start), "datacontenttype": "application/json",
        "data": {
            "customer": customer, "feature": feature_key, "meter": feature.meter, "aggregation": feature.aggregation,
            "windowStart": rfc3339(window_start), "windowEnd": rfc3339(window_start + metering.window_ms),
            "value": value, "eventCount": count,
            "breakdown": {name: value for name, value in zip(feature.breakdown, breakdown) if value is not None},
            "revision": 1, "subjects": sorted(subjects),
        },
    }
    return key, event


class Progress:
    """Writes `processed=<n>` to a file the bench driver polls."""

    def __init__(self, path):
        self.path = path

    def write(self, processed):
        if not self.path:
            return
        temporary = self.path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(f"processed={processed}\n")
        os.replace(temporary, self.path)
