package io.websocketrelay.cluster;

/**
 * The Lua scripts that make each cluster step one atomic Redis call. Keys (with the cluster's prefix {@code P}):
 * <ul>
 *   <li>{@code P:node:<node>}: a node's heartbeat, set with a time to live of the node timeout; a node whose key is
 *       gone is dead;</li>
 *   <li>{@code P:nodes}: the nodes that ever beat and were not yet found dead;</li>
 *   <li>{@code P:wait:<id>}: the waiter on a pair id, as {@code <node>:<serial>};</li>
 *   <li>{@code P:waiters:<node>}: the ids a node has a waiter on, to clean up after a dead node;</li>
 *   <li>{@code P:room:<room>}: a room's members, member id to {@code <order>:<node>};
 *       {@code P:room-order:<room>} its join counter; {@code P:rooms:<node>}: the rooms a node has members in;</li>
 *   <li>{@code P:inbox:<node>}: a node's stream of messages from the other nodes.</li>
 * </ul>
 * Keys other than {@code KEYS} are derived from {@code ARGV} inside the scripts, so these run on one Redis (or
 * Sentinel's master), not on Redis Cluster.
 */
final class Scripts {

    private Scripts() {
    }

    /**
     * Takes the waiter on an id, or becomes it. KEYS: the wait key, this node's waiters set. ARGV: this client as
     * {@code node:serial}, the prefix {@code P:}, the id. Returns the waiter taken (whose node is alive), or nil when
     * the caller is now the waiter. A waiter of a dead node is dropped and replaced.
     */
    static final String CLAIM = """
            local w = redis.call('GET', KEYS[1])
            if w and w ~= ARGV[1] then
              local n = string.match(w, '^[^:]+')
              redis.call('DEL', KEYS[1])
              redis.call('SREM', ARGV[2] .. 'waiters:' .. n, ARGV[3])
              if redis.call('EXISTS', ARGV[2] .. 'node:' .. n) == 1 then
                return w
              end
            end
            redis.call('SET', KEYS[1], ARGV[1])
            redis.call('SADD', KEYS[2], ARGV[3])
            return false
            """;

    /** Stops a client being the waiter if it still is. KEYS: the wait key, the waiters set. ARGV: client, id. */
    static final String WITHDRAW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('DEL', KEYS[1])
              redis.call('SREM', KEYS[2], ARGV[2])
            end
            return 0
            """;

    /** A node's heartbeat. KEYS: its node key, the nodes set. ARGV: the node, the time to live in ms. */
    static final String BEAT = """
            redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
            redis.call('SADD', KEYS[2], ARGV[1])
            return 0
            """;

    /** A Lua function that deletes what a node left in Redis: its waiters, room memberships and inbox. */
    private static final String FORGET = """
            local function forget(p, n, nodes)
              for _, id in ipairs(redis.call('SMEMBERS', p .. 'waiters:' .. n)) do
                local w = redis.call('GET', p .. 'wait:' .. id)
                if w and string.sub(w, 1, #n + 1) == n .. ':' then
                  redis.call('DEL', p .. 'wait:' .. id)
                end
              end
              for _, r in ipairs(redis.call('SMEMBERS', p .. 'rooms:' .. n)) do
                local members = redis.call('HGETALL', p .. 'room:' .. r)
                for i = 1, #members, 2 do
                  if string.match(members[i + 1], ':(.*)$') == n then
                    redis.call('HDEL', p .. 'room:' .. r, members[i])
                  end
                end
              end
              redis.call('DEL', p .. 'node:' .. n, p .. 'waiters:' .. n, p .. 'rooms:' .. n, p .. 'inbox:' .. n)
              redis.call('SREM', nodes, n)
            end
            """;

    /** A stopping node leaves: what it left is deleted at once. KEYS: the nodes set. ARGV: the prefix, the node. */
    static final String LEAVE_CLUSTER = FORGET + """
            forget(ARGV[1], ARGV[2], KEYS[1])
            return 0
            """;

    /**
     * Cleans up after dead nodes and tells which of the given nodes are alive. KEYS: the nodes set. ARGV: the prefix
     * {@code P:}, then the nodes to check. Returns 1 or 0 per node checked. A dead node's waiters, room memberships
     * and inbox are deleted, and it leaves the nodes set.
     */
    static final String SWEEP = FORGET + """
            local p = ARGV[1]
            for _, n in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              if redis.call('EXISTS', p .. 'node:' .. n) == 0 then
                forget(p, n, KEYS[1])
              end
            end
            local alive = {}
            for i = 2, #ARGV do
              alive[i - 1] = redis.call('EXISTS', p .. 'node:' .. ARGV[i])
            end
            return alive
            """;

    /**
     * Adds a member to a room unless it is full. KEYS: the room, its order counter, this node's rooms set. ARGV:
     * the member id, this node, the capacity, the prefix {@code P:}, the room id. Members of dead nodes are dropped
     * first. Returns {@code {}} (empty) when the room is full, {@code {0}} when the member id is taken, else
     * {@code {1, m1, n1, m2, n2, ...}}: the other members in the order they joined, with their nodes.
     */
    static final String ROOM_JOIN = """
            local p = ARGV[4]
            local members = redis.call('HGETALL', KEYS[1])
            local others = {}
            for i = 1, #members, 2 do
              local order, n = string.match(members[i + 1], '^(%d+):(.*)$')
              if redis.call('EXISTS', p .. 'node:' .. n) == 0 then
                redis.call('HDEL', KEYS[1], members[i])
              else
                others[#others + 1] = {tonumber(order), members[i], n}
              end
            end
            if #others >= tonumber(ARGV[3]) then
              return {}
            end
            if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
              return {0}
            end
            local order = redis.call('INCR', KEYS[2])
            redis.call('HSET', KEYS[1], ARGV[1], order .. ':' .. ARGV[2])
            redis.call('SADD', KEYS[3], ARGV[5])
            table.sort(others, function(a, b) return a[1] < b[1] end)
            local reply = {1}
            for _, o in ipairs(others) do
              reply[#reply + 1] = o[2]
              reply[#reply + 1] = o[3]
            end
            return reply
            """;

    /**
     * Puts a node's current members of a room back after Redis was out (it may have come back empty, or missed
     * leaves). KEYS: the room, its order counter, the node's rooms set. ARGV: the node, the prefix {@code P:}, the
     * room id, then the node's members. The node's entries of members it no longer has are deleted, missing ones
     * added; returns the other nodes' members in join order, each followed by its node.
     */
    static final String ROOM_SYNC = """
            local p, self = ARGV[2], ARGV[1]
            local mine = {}
            for i = 4, #ARGV do
              mine[ARGV[i]] = true
            end
            local members = redis.call('HGETALL', KEYS[1])
            local others = {}
            for i = 1, #members, 2 do
              local order, n = string.match(members[i + 1], '^(%d+):(.*)$')
              if n == self then
                if mine[members[i]] then
                  mine[members[i]] = nil
                else
                  redis.call('HDEL', KEYS[1], members[i])
                end
              elseif redis.call('EXISTS', p .. 'node:' .. n) == 0 then
                redis.call('HDEL', KEYS[1], members[i])
              else
                others[#others + 1] = {tonumber(order), members[i], n}
              end
            end
            for m, _ in pairs(mine) do
              redis.call('HSET', KEYS[1], m, redis.call('INCR', KEYS[2]) .. ':' .. self)
            end
            redis.call('SADD', KEYS[3], ARGV[3])
            table.sort(others, function(a, b) return a[1] < b[1] end)
            local reply = {}
            for _, o in ipairs(others) do
              reply[#reply + 1] = o[2]
              reply[#reply + 1] = o[3]
            end
            return reply
            """;

    /**
     * Removes a member from a room. KEYS: the room, its order counter. ARGV: the member id. Returns the nodes of
     * the members that remain (with repeats); an empty room's keys are deleted.
     */
    static final String ROOM_LEAVE = """
            redis.call('HDEL', KEYS[1], ARGV[1])
            local members = redis.call('HVALS', KEYS[1])
            if #members == 0 then
              redis.call('DEL', KEYS[1], KEYS[2])
            end
            local nodes = {}
            for i, v in ipairs(members) do
              nodes[i] = string.match(v, ':(.*)$')
            end
            return nodes
            """;
}
