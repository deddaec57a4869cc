#!/usr/bin/env bash
# Run once per `docker compose up` by the kafka-init service: creates the topics MarketPulse uses, with the
# partition counts of its defaults (src/MarketPulse.Messaging/KafkaOptions.cs; a test keeps them equal).
# Existing topics are left as they are; to add partitions later use kafka-topics.sh --alter (docs/tuning.md).
set -euo pipefail
bootstrap="${KAFKA_BOOTSTRAP:-kafka:9092}"
replication="${KAFKA_REPLICATION_FACTOR:-1}"

create() { # name partitions
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "$1" --partitions "$2" --replication-factor "$replication"
}

create sentiment_analysis_topic 6
create aggregation_topic 6
create market_data_topic 6
create alert_topic 1
create dead_letter_topic 1
/opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --describe
