package io.tieredcache.redis;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Optional payload compression with the JDK's own zlib (no extra dependency). Favours speed over
 * ratio: a cache value is compressed on every write and inflated on every remote hit.
 */
final class Deflate {

  private Deflate() {}

  /** Deflates {@code input}; the result may be larger than the input for incompressible data. */
  static byte[] compress(byte[] input) {
    var deflater = new Deflater(Deflater.BEST_SPEED);
    try {
      deflater.setInput(input);
      deflater.finish();
      var out = new ByteArrayOutputStream(Math.max(64, input.length / 2));
      byte[] buffer = new byte[8192];
      while (!deflater.finished()) {
        int n = deflater.deflate(buffer);
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  /**
   * Inflates {@code length} bytes of {@code input} from {@code offset} into exactly
   * {@code expectedLength} bytes, or throws if the data do not inflate to that size.
   */
  static byte[] decompress(byte[] input, int offset, int length, int expectedLength) throws DataFormatException {
    var inflater = new Inflater();
    try {
      inflater.setInput(input, offset, length);
      byte[] out = new byte[expectedLength];
      int at = 0;
      int idle = 0;
      while (!inflater.finished()) {
        int n = at < expectedLength
            ? inflater.inflate(out, at, expectedLength - at)
            : inflater.inflate(new byte[1]);
        if (n > 0 && at == expectedLength) {
          throw new DataFormatException("compressed payload inflates past its stated " + expectedLength + " bytes");
        }
        at += n;
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary() || ++idle > 2)) {
          throw new DataFormatException("compressed payload is truncated or corrupt");
        }
      }
      if (at != expectedLength) {
        throw new DataFormatException("compressed payload inflates to " + at + " bytes, not " + expectedLength);
      }
      return out;
    } finally {
      inflater.end();
    }
  }
}
