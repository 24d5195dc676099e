package io.tieredcache.sizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SizerOptionsTest {

  @Test
  void sizeListsTakeSuffixesAndLogSpacedRanges() {
    assertThat(SizerOptions.sizes("10k,1000,2m", false)).containsExactly(1000, 10_000, 2_000_000);
    assertThat(SizerOptions.sizes("1k..1m:4", false)).containsExactly(1000, 10_000, 100_000, 1_000_000);
    assertThat(SizerOptions.sizes("0,100", true)).containsExactly(0, 100);
    assertThat(SizerOptions.sizes("1k..1m:20", false)).hasSize(20);
    assertThatThrownBy(() -> SizerOptions.sizes("0", false)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void durationsReadShortAndIsoForms() {
    assertThat(SizerOptions.duration("90s")).isEqualTo(Duration.ofSeconds(90).toNanos());
    assertThat(SizerOptions.duration("5m")).isEqualTo(Duration.ofMinutes(5).toNanos());
    assertThat(SizerOptions.duration("250ms")).isEqualTo(Duration.ofMillis(250).toNanos());
    assertThat(SizerOptions.duration("PT1H")).isEqualTo(Duration.ofHours(1).toNanos());
    assertThat(SizerOptions.duration("0")).isZero();
  }

  @Test
  void aRunNeedsOneSourceAndAnOutput() {
    assertThatThrownBy(() -> SizerOptions.parse(new String[] {"--out", "x"})).hasMessageContaining("exactly one");
    assertThatThrownBy(() -> SizerOptions.parse(new String[] {"--generate", "zipf"})).hasMessageContaining("--out");
    assertThatThrownBy(() -> SizerOptions.parse(new String[] {"--generate", "zipf", "--out", "x", "--bogus", "1"}))
        .hasMessageContaining("unknown option");
  }

  @Test
  void defaultGridsFollowTheFootprint() {
    assertThat(SizerRun.defaultL1Sizes(1_000_000)).hasSize(20).startsWith(1000).endsWith(500_000);
    assertThat(SizerRun.defaultL2Sizes(1_000_000)).hasSize(10).startsWith(10_000).endsWith(1_000_000);
  }
}
