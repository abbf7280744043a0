package io.tollgate.bench.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CpuSampleTest {
  @Test
  void compilerThreadsAreJitWithOrWithoutTheSpaceTheirNameHadBeforeJdk25() {
    assertThat(CpuSample.isJit("C2 CompilerThre")).isTrue();
    assertThat(CpuSample.isJit("C2CompilerThre")).isTrue();
    assertThat(CpuSample.isJit("C1CompilerThre")).isTrue();
    assertThat(CpuSample.isJit("vert.x-eventloo")).isFalse();
    assertThat(CpuSample.group("C2CompilerThre")).isEqualTo("C2CompilerThre");
    assertThat(CpuSample.group("vert.x-eventloo")).isEqualTo("vert.x-eventloo");
    assertThat(CpuSample.group("kafka-producer-12")).isEqualTo("kafka-producer-#");
  }
}
