package io.websocketrelay.launcher.io;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Checks that bytes are well-formed UTF-8 (RFC 3629, Unicode's table 3-7): no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no sequence cut short. ASCII, the usual content of relayed texts, is
 * checked eight bytes at a time.
 */
final class Utf8 {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {
    }

    /** @return whether {@code bytes[from, to)} is well-formed UTF-8 */
    static boolean isValid(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to) {
            if (i <= to - 8 && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
                i += 8;
                continue;
            }
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            b &= 0xff;
            if (b < 0xc2 || b > 0xf4) {
                return false; // a continuation byte first, an overlong two-byte lead (C0, C1), or above U+10FFFF
            }
            if (b < 0xe0) {
                if (i + 1 >= to || !continuation(bytes[i + 1])) {
                    return false;
                }
                i += 2;
                continue;
            }
            if (b < 0xf0) {
                if (i + 2 >= to) {
                    return false;
                }
                int b1 = bytes[i + 1] & 0xff;
                // E0 needs A0..BF (shorter forms are overlong), ED needs 80..9F (A0..BF would be surrogates)
                int low = b == 0xe0 ? 0xa0 : 0x80;
                int high = b == 0xed ? 0x9f : 0xbf;
                if (b1 < low || b1 > high || !continuation(bytes[i + 2])) {
                    return false;
                }
                i += 3;
                continue;
            }
            if (i + 3 >= to) {
                return false;
            }
            int b1 = bytes[i + 1] & 0xff;
            // F0 needs 90..BF (shorter forms are overlong), F4 needs 80..8F (beyond is above U+10FFFF)
            int low = b == 0xf0 ? 0x90 : 0x80;
            int high = b == 0xf4 ? 0x8f : 0xbf;
            if (b1 < low || b1 > high || !continuation(bytes[i + 2]) || !continuation(bytes[i + 3])) {
                return false;
            }
            i += 4;
        }
        return true;
    }

    private static boolean continuation(byte b) {
        return (b & 0xc0) == 0x80;
    }
}
