/** Threshold and anomaly alerts and their delivery (see the alerting issue). */
package io.tollgate.alerting;
