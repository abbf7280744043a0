/** Spend windows in Kafka Streams and the ClickHouse sink (see the aggregator issue). */
package io.tollgate.aggregator;
