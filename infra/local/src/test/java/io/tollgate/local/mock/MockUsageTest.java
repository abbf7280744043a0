package io.tollgate.local.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MockUsageTest {

  @Test
  void derivesTokensFromBodySizeAndMaxTokens() {
    assertThat(MockUsage.forRequest(400, null, null)).isEqualTo(new MockUsage(100, 50, 0, 0, 0, 0));
    assertThat(MockUsage.forRequest(401, 10L, null)).isEqualTo(new MockUsage(100, 10, 0, 0, 0, 0));
    assertThat(MockUsage.forRequest(2, 1000L, null)).isEqualTo(new MockUsage(1, 50, 0, 0, 0, 0));
  }

  @Test
  void headerOverridesAnySubset() {
    MockUsage u = MockUsage.forRequest(400, null, "cache_read=30, cache_write_5m=5,cache_write_1h=7,reasoning=3");
    assertThat(u).isEqualTo(new MockUsage(100, 50, 30, 5, 7, 3));
    assertThat(u.openAiPromptTokens()).isEqualTo(130);
    assertThat(MockUsage.forRequest(400, null, "input=1,output=2")).isEqualTo(new MockUsage(1, 2, 0, 0, 0, 0));
  }

  @Test
  void badHeadersAreRejectedClearly() {
    assertThatThrownBy(() -> MockUsage.forRequest(4, null, "input")).hasMessageContaining("name=number");
    assertThatThrownBy(() -> MockUsage.forRequest(4, null, "input=x")).hasMessageContaining("'x' is not a number");
    assertThatThrownBy(() -> MockUsage.forRequest(4, null, "tokens=1")).hasMessageContaining("unknown name 'tokens'");
    assertThatThrownBy(() -> MockUsage.forRequest(4, null, "output=1,reasoning=2")).hasMessageContaining("part of output");
  }

  @Test
  void failuresParse() {
    assertThat(MockFailure.parse("status:429")).isEqualTo(MockFailure.status(429));
    assertThat(MockFailure.parse("slow:250")).isEqualTo(MockFailure.slow(250));
    assertThat(MockFailure.parse("cut:3")).isEqualTo(MockFailure.cut(3));
    assertThatThrownBy(() -> MockFailure.parse("status:200")).hasMessageContaining("4xx or 5xx");
    assertThatThrownBy(() -> MockFailure.parse("boom:1")).hasMessageContaining("unknown failure");
    assertThatThrownBy(() -> MockFailure.parse("cut")).hasMessageContaining("status:<code>");
  }
}
