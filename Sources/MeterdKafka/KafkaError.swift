public enum MeterdKafkaPlaceholder {}
