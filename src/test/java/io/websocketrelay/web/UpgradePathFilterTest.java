package io.websocketrelay.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UpgradePathFilterTest {

    @Test
    void oneNonEmptySegmentIsAnId() {
        assertTrue(UpgradePathFilter.isOneSegment("/abc"));
        assertTrue(UpgradePathFilter.isOneSegment("/a%2Fb"));
        assertTrue(UpgradePathFilter.isOneSegment("/x"));
    }

    @Test
    void rootTrailingSlashAndNestedPathsAreNot() {
        for (String path : new String[] {"", "/", "//", "/a/", "/a/b", "a", "/a//"}) {
            assertFalse(UpgradePathFilter.isOneSegment(path), path);
        }
    }
}
