package io.tollgate.ingress.admin;

import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One copy of the management state: the four compacted topics as maps from record key to record.
 * Thread-safe; {@link #apply} takes a topic record as it is on the wire (a null value deletes).
 */
final class DirectoryState {
  final Map<String, VirtualKey> keys = new ConcurrentHashMap<>();
  final Map<String, Team> teams = new ConcurrentHashMap<>();
  final Map<String, Customer> customers = new ConcurrentHashMap<>();
  final Map<String, Budget> budgets = new ConcurrentHashMap<>();
  private final AvroSerde<VirtualKey> keySerde = TollgateSerdes.virtualKey();
  private final AvroSerde<Team> teamSerde = TollgateSerdes.team();
  private final AvroSerde<Customer> customerSerde = TollgateSerdes.customer();
  private final AvroSerde<Budget> budgetSerde = TollgateSerdes.budget();

  /**
   * Applies one record; false when its value cannot be decoded (the old value is kept: a record a
   * newer writer wrote must not delete a key).
   */
  boolean apply(String topic, String key, byte[] value) {
    if (key == null) {
      return false;
    }
    try {
      if (topic.equals(Topics.KEYS.name())) {
        put(keys, key, value == null ? null : keySerde.deserialize(topic, value));
      } else if (topic.equals(Topics.TEAMS.name())) {
        put(teams, key, value == null ? null : teamSerde.deserialize(topic, value));
      } else if (topic.equals(Topics.CUSTOMERS.name())) {
        put(customers, key, value == null ? null : customerSerde.deserialize(topic, value));
      } else if (topic.equals(Topics.BUDGETS.name())) {
        put(budgets, key, value == null ? null : budgetSerde.deserialize(topic, value));
      } else {
        return false;
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The wire bytes of a record of {@code topic} (what {@link #apply} reads back). */
  byte[] encode(String topic, Object record) {
    if (topic.equals(Topics.KEYS.name())) {
      return keySerde.serialize(topic, (VirtualKey) record);
    } else if (topic.equals(Topics.TEAMS.name())) {
      return teamSerde.serialize(topic, (Team) record);
    } else if (topic.equals(Topics.CUSTOMERS.name())) {
      return customerSerde.serialize(topic, (Customer) record);
    } else if (topic.equals(Topics.BUDGETS.name())) {
      return budgetSerde.serialize(topic, (Budget) record);
    }
    throw new IllegalArgumentException("not a management topic: " + topic);
  }

  int size() {
    return keys.size() + teams.size() + customers.size() + budgets.size();
  }

  String counts() {
    return keys.size() + " keys, " + teams.size() + " teams, " + customers.size() + " customers, " + budgets.size()
        + " budgets";
  }

  private static <T> void put(Map<String, T> map, String key, T value) {
    if (value == null) {
      map.remove(key);
    } else {
      map.put(key, value);
    }
  }
}
