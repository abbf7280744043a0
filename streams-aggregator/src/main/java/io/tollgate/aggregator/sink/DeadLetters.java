package io.tollgate.aggregator.sink;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where the sink puts rows it can never write, so that one bad row neither stalls the sink nor is
 * lost: {@link KafkaDeadLetters} in the app. {@link #send} returns only once they are durable; the
 * sink commits their offsets after that.
 */
public interface DeadLetters {
  /**
   * One row that cannot be written.
   *
   * @param source the record it came from (original key and bytes)
   * @param table  the table it was for ({@code unknown} when it has none)
   * @param error  why, with no secrets (ClickHouse messages never carry the password)
   */
  record DeadLetter(ConsumerRecord<String, byte[]> source, String table, String error) {
  }

  /**
   * @throws RuntimeException when they could not be stored; the sink then keeps the batch and
   *                          tries again, so nothing is committed that is not written somewhere
   */
  void send(List<DeadLetter> letters);
}
