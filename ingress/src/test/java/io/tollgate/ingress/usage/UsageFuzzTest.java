package io.tollgate.ingress.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link UsageJson} and {@link StreamUsageTap} run inside the relay: whatever bytes arrive, they
 * must not throw, and what they return must be in range. Bounded loops with fixed seeds, so a
 * failure reproduces.
 */
@Timeout(120)
class UsageFuzzTest {
  private static final String[] FIXTURES = {"anthropic-message.json", "anthropic-stream.sse", "openai-chat.json",
      "openai-chat-stream.sse", "openai-embeddings.json", "openai-responses.json", "openai-responses-stream.sse"};
  /** What a number can turn into: negative, huge, fractional, strings, other types, broken JSON. */
  private static final String[] ODD_NUMBERS = {"-1", "-9223372036854775808", "9223372036854775808", "1e30", "1e309",
      "-1e309", "1.5", "\"12\"", "\"\"", "null", "true", "{}", "[]", "{", "\"", "1e-999999", "0.0000001", "NaN", "-"};
  private static final String[] ENCODINGS = {null, "gzip", "br", "zstd", "deflate", "gzip, br", "bogus"};

  private static void check(Usage u) {
    assertThat(u).isNotNull();
    for (long c : new long[] {u.inputTokens(), u.outputTokens(), u.cacheReadTokens(), u.cacheWrite5mTokens(),
        u.cacheWrite1hTokens(), u.reasoningTokens(), u.webSearchRequests()}) {
      assertThat(c).isBetween(0L, Usage.MAX_COUNT);
    }
    assertThat(u.promptTokens()).isNotNegative();
    assertThat(u.source()).isNotNull();
  }

  private static void feedEverywhere(byte[] bytes, Random random) {
    for (Api api : Api.values()) {
      check(UsageJson.fromBody(api, bytes));
      String encoding = ENCODINGS[random.nextInt(ENCODINGS.length)];
      StreamUsageTap tap = new StreamUsageTap(api, encoding);
      BodyUsageReader body = new BodyUsageReader(api, encoding);
      int pos = 0;
      while (pos < bytes.length) {
        int n = Math.min(bytes.length - pos, 1 + random.nextInt(97));
        tap.onBytes(bytes, pos, n);
        body.onBytes(bytes, pos, n);
        pos += n;
      }
      check(tap.usage());
      check(body.usage());
      StreamUsageTap.isUsageOnlyChatChunk(bytes);
    }
  }

  @Test
  void randomBytesNeverThrow() {
    Random random = new Random(11);
    for (int i = 0; i < 120; i++) {
      byte[] bytes = new byte[random.nextInt(600)];
      random.nextBytes(bytes);
      feedEverywhere(bytes, random);
    }
  }

  @Test
  void mutatedRecordedPayloadsNeverThrow() {
    Random random = new Random(23);
    for (String name : FIXTURES) {
      String text = new String(UsageParsingTest.fixture(name), StandardCharsets.UTF_8);
      for (int i = 0; i < 25; i++) {
        feedEverywhere(mutate(text, random).getBytes(StandardCharsets.UTF_8), random);
      }
    }
  }

  @Test
  void mutatedBytesOfRecordedPayloadsNeverThrow() {
    Random random = new Random(31);
    for (String name : FIXTURES) {
      byte[] original = UsageParsingTest.fixture(name);
      for (int i = 0; i < 20; i++) {
        byte[] b = original.clone();
        for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
          b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
        feedEverywhere(random.nextBoolean() ? b : Arrays.copyOf(b, random.nextInt(b.length)), random);
      }
    }
  }

  @Test
  void oddNumbersInEveryFieldOfEveryRecordedPayload() {
    for (String name : FIXTURES) {
      String text = new String(UsageParsingTest.fixture(name), StandardCharsets.UTF_8);
      for (String odd : ODD_NUMBERS) {
        String mutated = text.replaceAll("(?<=\":)\\d+(?=[,}])", Matcher.quoteReplacement(odd));
        byte[] bytes = mutated.getBytes(StandardCharsets.UTF_8);
        Api api = name.startsWith("anthropic") ? Api.MESSAGES : name.contains("responses") ? Api.RESPONSES
            : name.contains("embeddings") ? Api.EMBEDDINGS : Api.CHAT_COMPLETIONS;
        StreamUsageTap tap = new StreamUsageTap(api);
        tap.onBytes(bytes);
        check(tap.usage());
        check(UsageJson.fromBody(api, bytes));
      }
    }
  }

  /** Replaces a few numbers, deletes or duplicates a few spans. */
  private static String mutate(String text, Random random) {
    StringBuilder s = new StringBuilder(text);
    for (int k = 1 + random.nextInt(5); k > 0 && s.length() > 2; k--) {
      int at = random.nextInt(s.length());
      switch (random.nextInt(4)) {
        case 0 -> {
          int digit = indexOfDigit(s, at);
          if (digit >= 0) {
            int end = digit;
            while (end < s.length() && Character.isDigit(s.charAt(end))) {
              end++;
            }
            s.replace(digit, end, ODD_NUMBERS[random.nextInt(ODD_NUMBERS.length)]);
          }
        }
        case 1 -> s.delete(at, Math.min(s.length(), at + random.nextInt(20)));
        case 2 -> s.insert(at, s.substring(at, Math.min(s.length(), at + random.nextInt(40))));
        default -> s.insert(at, random.nextBoolean() ? "\n\n" : "\r");
      }
    }
    return s.toString();
  }

  private static int indexOfDigit(CharSequence s, int from) {
    for (int i = from; i < s.length(); i++) {
      if (Character.isDigit(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
