package io.websocketrelay.core;

/**
 * What a {@link Peer} belongs to for its whole life (the pair protocol, or rooms): where its messages go and what
 * happens when it leaves. Implementations are application-scoped beans; a peer holds the bean itself, so the calls
 * made per message never go through a container's client proxy.
 */
public interface Conversation {

    /** Delivers a message that {@code from} sent, or answers it when nobody can receive it. */
    void relay(Peer from, Outbound message);

    /** Removes a client that left, was closed or failed. Safe to call more than once and from any thread. */
    void leave(Peer peer);

    /**
     * @return this conversation itself: called through a container's client proxy, the bean instance behind it, which
     *         peers made outside the bean (a cluster's proxies) hold so that their messages skip the proxy
     */
    default Conversation self() {
        return this;
    }
}
