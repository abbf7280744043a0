package io.tollgate.ingress.provider;

import io.tollgate.ingress.budget.RateLimitGate;
import io.tollgate.ingress.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * The steps of a call and the few settings an {@link Exchange} needs, built once by the server
 * and handed to every exchange (values, not a way back into the server).
 */
record CallPipeline(Admission admission, Relay relay, Metering metering, GatewayMetrics metrics, Vertx vertx,
                    Clock clock, String gatewayId, long maxBodyBytes, long requestReadTimeoutMs, BudgetStep budget,
                    RateLimitGate rateLimits) {
}
