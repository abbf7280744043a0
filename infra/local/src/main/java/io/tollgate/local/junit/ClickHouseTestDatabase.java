package io.tollgate.local.junit;

import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;

/**
 * A fresh ClickHouse database for one test class, with the Tollgate migrations applied; dropped
 * when the class is done.
 *
 * @param settings where it is (URL, database name, user)
 * @param client   a client bound to it
 */
public record ClickHouseTestDatabase(ClickHouseSettings settings, ClickHouseClient client) {
  public String database() {
    return settings.database();
  }
}
