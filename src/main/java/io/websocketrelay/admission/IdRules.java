package io.websocketrelay.admission;

import io.websocketrelay.config.RelaySettings;
import io.websocketrelay.core.Protocol;

/** The rules an id (a pair id or a room id) must follow once percent-decoded: not empty, not too long, the pattern. */
public final class IdRules {

    private IdRules() {
    }

    /** @return what is wrong with an id, or {@code null} when it follows the rules */
    public static String check(String id, RelaySettings settings) {
        if (id.isEmpty()) {
            return "empty id";
        }
        if (Protocol.longerThan(id, settings.maxIdBytes())) {
            return "id longer than " + settings.maxIdBytes() + " bytes";
        }
        if (settings.idPattern() != null && !settings.idPattern().matcher(id).matches()) {
            return "id does not match the allowed pattern";
        }
        return null;
    }
}
