package io.tieredcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RedisAdmin} against a real redis-server of its own (it pauses clients). */
@IsolatedRedis
class RedisAdminIT {

  private final RedisServer redis;
  private RedisAdmin admin;

  RedisAdminIT(RedisServer redis) {
    this.redis = redis;
  }

  @BeforeEach
  void connect() {
    admin = redis.admin();
    admin.flushAll();
  }

  @AfterEach
  void disconnect() {
    admin.close();
  }

  @Test
  void bytesRoundTripExactly() {
    byte[] value = {0x00, (byte) 0xff, (byte) 0xc3, 0x28, '\r', '\n', '$', '*', 0x00, (byte) 0x80};
    admin.setBytes("bin", value);
    assertThat(admin.getBytes("bin")).containsExactly(value);
    admin.setBytes("empty", new byte[0]);
    assertThat(admin.getBytes("empty")).isEmpty();
    assertThat(admin.getBytes("absent")).isNull();
    assertThat(admin.command("STRLEN", "bin")).isEqualTo((long) value.length);
  }

  @Test
  void repliesMapToJavaTypes() {
    assertThat(admin.command("SET", "a", "1")).isEqualTo("OK");
    assertThat(admin.command("INCR", "a")).isEqualTo(2L);
    assertThat(admin.command("GET", "a")).isEqualTo("2");
    assertThat(admin.command("GET", "nothing")).isNull();
    assertThat(admin.command("MGET", "a", "nothing")).isEqualTo(java.util.Arrays.asList("2", null));
    assertThat(admin.command("SET", "ü", "ünïcödé")).isEqualTo("OK");
    assertThat(admin.command("GET", "ü")).isEqualTo("ünïcödé");
  }

  @Test
  void anErrorReplyThrowsAndTheConnectionStaysUsable() {
    assertThatThrownBy(() -> admin.command("NO-SUCH-COMMAND"))
        .isInstanceOf(RedisAdminException.class)
        .hasMessageStartingWith("ERR");
    admin.command("SET", "s", "x");
    assertThatThrownBy(() -> admin.command("INCR", "s")).isInstanceOf(RedisAdminException.class);
    assertThat(admin.ping()).isEqualTo("PONG");
  }

  @Test
  void commandCallsCountsEachCommandUntilReset() {
    admin.resetStats();
    admin.command("SET", "k", "v");
    admin.command("GET", "k");
    admin.command("GET", "k");
    admin.command("MGET", "k", "j");
    Map<String, Long> calls = admin.commandCalls();
    assertThat(calls).containsEntry("get", 2L).containsEntry("mget", 1L).containsEntry("set", 1L);

    admin.resetStats();
    assertThat(admin.commandCalls()).doesNotContainKey("get");
  }

  @Test
  void configRoundTrips() {
    String before = admin.configGet("maxmemory-policy");
    try {
      admin.configSet("maxmemory-policy", "allkeys-lru");
      assertThat(admin.configGet("maxmemory-policy")).isEqualTo("allkeys-lru");
    } finally {
      admin.configSet("maxmemory-policy", before);
    }
    assertThat(admin.configGet("no-such-parameter")).isNull();
  }

  @Test
  void scanFindsEveryMatchingKey() {
    for (int i = 0; i < 2_500; i++) {
      admin.command("SET", "scan:" + i, "x");
    }
    admin.command("SET", "other", "x");
    List<String> keys = admin.scan("scan:*");
    assertThat(keys).hasSize(2_500).doesNotHaveDuplicates().contains("scan:0", "scan:2499").doesNotContain("other");
    assertThat(admin.scan("none:*")).isEmpty();
  }

  @Test
  void pauseClientsDelaysAnotherClient() throws Exception {
    Duration pause = Duration.ofMillis(600);
    try (RedisAdmin other = redis.admin()) {
      other.ping();   // connected before the pause
      // Timed from before the pause is sent: the pause ends no earlier than `pause` after this.
      long start = System.nanoTime();
      admin.pauseClients(pause);
      CompletableFuture<String> reply = CompletableFuture.supplyAsync(other::ping);
      assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("PONG");
      Duration waited = Duration.ofNanos(System.nanoTime() - start);
      assertThat(waited).isGreaterThanOrEqualTo(pause.multipliedBy(9).dividedBy(10));
      // The pausing connection waits for the pause too; it is over by now.
      assertThat(admin.ping()).isEqualTo("PONG");
    }
  }

  @Test
  void killClientsClosesASubscriber() throws IOException {
    try (Socket subscriber = new Socket()) {
      subscriber.setSoTimeout(5_000);
      subscriber.connect(new InetSocketAddress(redis.host(), redis.port()), 2_000);
      OutputStream out = subscriber.getOutputStream();
      out.write("*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = subscriber.getInputStream();
      // The subscribe confirmation: *3 $9 subscribe $2 ch :1 -- read it so the subscription is in place.
      String confirmation = readUntil(in, ":1\r\n");
      assertThat(confirmation).contains("subscribe");

      assertThat(admin.killClients("pubsub")).isEqualTo(1L);
      assertThat(in.read()).as("the subscriber's connection is closed").isEqualTo(-1);
      assertThat(admin.killClients("pubsub")).isZero();
      assertThat(admin.ping()).as("the admin connection survives").isEqualTo("PONG");
    }
  }

  private static String readUntil(InputStream in, String end) throws IOException {
    StringBuilder text = new StringBuilder();
    while (!text.toString().endsWith(end)) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      text.append((char) b);
    }
    return text.toString();
  }
}
