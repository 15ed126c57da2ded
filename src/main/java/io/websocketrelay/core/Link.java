package io.websocketrelay.core;

/**
 * The pairing of two peers. A message is relayed only while the receiver still holds the same link, so nothing
 * sent to a peer that has since left reaches the one matched after it.
 */
final class Link {

    private final Peer first;
    private final Peer second;

    Link(Peer first, Peer second) {
        this.first = first;
        this.second = second;
    }

    /** @return the other side of this link from {@code peer} */
    Peer other(Peer peer) {
        return peer == first ? second : first;
    }
}
