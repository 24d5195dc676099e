package io.tieredcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link RedisServer#startLocal()} with a real redis-server: start, stop, start again, close. */
class LocalRedisServerIT {

  @Test
  void startLocalAnswersPingOnALoopbackPortThatIsNot6379AndCloseStopsIt() {
    RedisServer redis = RedisServer.startLocal();
    ProcessHandle process;
    Path dir;
    try {
      assertThat(redis.host()).isEqualTo("127.0.0.1");
      assertThat(redis.port()).isPositive().isNotEqualTo(6379);
      assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
      assertThat(redis.controllable()).isTrue();
      assertThat(redis.isRunning()).isTrue();
      try (RedisAdmin admin = redis.admin()) {
        assertThat(admin.ping()).isEqualTo("PONG");
        assertThat(admin.configGet("save")).isEmpty();
        assertThat(admin.configGet("appendonly")).isEqualTo("no");
        assertThat(admin.configGet("bind")).isEqualTo("127.0.0.1");
      }
      process = ProcessHandle.of(redis.localProcess().pid()).orElseThrow();
      dir = redis.localProcess().dir();
      assertThat(dir.resolve("redis-server.log")).isRegularFile();
    } finally {
      redis.close();
    }
    assertThat(process.isAlive()).isFalse();
    assertThat(redis.isRunning()).isFalse();
    assertRefused(redis.port());
    assertThat(Files.exists(dir)).isFalse();
    redis.close();   // idempotent
  }

  @Test
  void stopThenStartComesBackOnTheSamePortWithNoData() {
    try (RedisServer redis = RedisServer.startLocal()) {
      int port = redis.port();
      try (RedisAdmin admin = redis.admin()) {
        admin.command("SET", "k", "v");
        assertThat(admin.command("GET", "k")).isEqualTo("v");
      }
      redis.stop();
      assertThat(redis.isRunning()).isFalse();
      assertRefused(port);
      redis.stop();   // no-op when stopped

      redis.start();
      assertThat(redis.isRunning()).isTrue();
      assertThat(redis.port()).isEqualTo(port);
      try (RedisAdmin admin = redis.admin()) {
        assertThat(admin.ping()).isEqualTo("PONG");
        assertThat(admin.command("GET", "k")).isNull();
      }

      long pidBefore = redis.localProcess().pid();
      redis.restart();
      assertThat(redis.localProcess().pid()).isNotEqualTo(pidBefore);
      try (RedisAdmin admin = redis.admin()) {
        assertThat(admin.ping()).isEqualTo("PONG");
      }
    }
  }

  @Test
  void anAdminReconnectsAfterARestart() {
    try (RedisServer redis = RedisServer.startLocal(); RedisAdmin admin = redis.admin()) {
      redis.restart();
      // The first command sees the dead connection; the next one reconnects.
      try {
        admin.ping();
      } catch (java.io.UncheckedIOException expected) {
        // the old socket was closed by the server's exit
      }
      assertThat(admin.ping()).isEqualTo("PONG");
    }
  }

  @Test
  void startAfterCloseIsRejected() {
    RedisServer redis = RedisServer.startLocal();
    redis.close();
    assertThatThrownBy(redis::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  static void assertRefused(int port) {
    assertThatThrownBy(() -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      }
    }).isInstanceOf(ConnectException.class);
  }

}
