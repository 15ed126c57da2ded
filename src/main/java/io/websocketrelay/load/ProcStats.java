package io.websocketrelay.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory and CPU time of a process on Linux, read from {@code /proc/PID}. */
final class ProcStats {

    /** Clock ticks per second of {@code /proc/PID/stat}; 100 on Linux for x86 and arm. */
    private static final double TICKS_PER_SECOND = 100;

    private ProcStats() {
    }

    /** @return the resident set size in bytes, or -1 if it cannot be read */
    static long rssBytes(long pid) {
        try {
            return parseRssKb(Files.readString(Path.of("/proc", Long.toString(pid), "status"))) * 1024;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** @return the user plus system CPU seconds used so far, or -1 if they cannot be read */
    static double cpuSeconds(long pid) {
        try {
            return parseCpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** @return the {@code VmRSS} of a {@code /proc/PID/status} text in kB, or -1 */
    static long parseRssKb(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    /** @return utime + stime of a {@code /proc/PID/stat} line, in ticks */
    static long parseCpuTicks(String stat) {
        // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
