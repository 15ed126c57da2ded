package io.websocketrelay.admission;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The proxies whose word on the client's address is taken ({@code RELAY_TRUSTED_PROXIES}, a comma-separated list of
 * addresses and CIDR blocks such as {@code 127.0.0.1, 10.0.0.0/8, ::1, fd00::/8}), and the client address of a
 * request that came through them.
 *
 * <p>Only when the direct peer is one of these proxies are {@code X-Forwarded-For} and, when a request has none,
 * {@code Forwarded} (RFC 7239, its {@code for=} parameters) read; from any other peer both are ignored. The list of
 * hops is walked from the right, the hop nearest the relay: each trusted proxy in it is skipped, and the first
 * address that is not a trusted proxy is the client's. A hop that gives no address ({@code unknown}, an obfuscated
 * name, garbage) ends the walk at the proxy that wrote it. Ports ({@code 192.0.2.1:4711},
 * {@code "[2001:db8::1]:4711"}) are dropped, and every address is given in one canonical form
 * ({@link InetAddress#getHostAddress()}), so that per-address limits count one client once.
 *
 * <p>A proxy in front must set or overwrite the header it speaks and drop the other one (the shipped nginx
 * configuration appends to {@code X-Forwarded-For} and drops {@code Forwarded}); otherwise a client could write the
 * one it ignores. Immutable and thread-safe.
 */
public final class TrustedProxies {

    /** Trusts nobody: forwarding headers are never read. */
    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private record Block(byte[] network, int bits) {

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[whole] & mask) == (network[whole] & mask);
        }
    }

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /**
     * @param list comma-separated addresses and CIDR blocks; empty for none
     * @return the proxies the list names
     * @throws IllegalArgumentException for an entry that is not an IP literal or a CIDR block
     */
    public static TrustedProxies parse(String list) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : list.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int slash = trimmed.indexOf('/');
            InetAddress address = literal(slash < 0 ? trimmed : trimmed.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("'" + trimmed + "' is not an IP address or CIDR block");
            }
            byte[] bytes = address.getAddress();
            int bits = bytes.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(trimmed.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > bytes.length * 8) {
                    throw new IllegalArgumentException("'" + trimmed + "' has no prefix length from 0 to "
                            + bytes.length * 8);
                }
            }
            blocks.add(new Block(bytes, bits));
        }
        return blocks.isEmpty() ? NONE : new TrustedProxies(blocks);
    }

    /** @return whether no proxy is trusted */
    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** @return whether {@code address} (an IP literal) is a trusted proxy */
    public boolean trusts(String address) {
        InetAddress parsed = literal(address);
        return parsed != null && trusts(parsed);
    }

    private boolean trusts(InetAddress address) {
        byte[] bytes = address.getAddress();
        for (Block block : blocks) {
            if (block.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param peer          the address of the direct peer, as the server reports it
     * @param xForwardedFor the request's {@code X-Forwarded-For} headers, in order; empty for none
     * @param forwarded     the request's {@code Forwarded} headers, in order; empty for none
     * @return the client's address: {@code peer} unless it is a trusted proxy that forwarded the request
     */
    public String clientAddress(String peer, List<String> xForwardedFor, List<String> forwarded) {
        if (blocks.isEmpty()) {
            return peer;
        }
        InetAddress direct = literal(peer);
        if (direct == null || !trusts(direct)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : xForwardedFor) {
            for (String hop : header.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.trim());
                }
            }
        }
        if (hops.isEmpty()) {
            for (String header : forwarded) {
                hops.addAll(forwardedFor(header));
            }
        }
        InetAddress client = direct;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(withoutPort(hops.get(i)));
            if (hop == null) {
                break;
            }
            client = hop;
            if (!trusts(hop)) {
                break;
            }
        }
        return client == direct ? peer : client.getHostAddress();
    }

    /** @return the {@code for=} value of each element of one {@code Forwarded} header, "" for an element without */
    static List<String> forwardedFor(String header) {
        List<String> values = new ArrayList<>();
        String value = "";
        int i = 0;
        int n = header.length();
        while (i < n) {
            int start = i;
            while (i < n && header.charAt(i) != '=' && header.charAt(i) != ';' && header.charAt(i) != ',') {
                i++;
            }
            String name = header.substring(start, i).trim().toLowerCase(Locale.ROOT);
            StringBuilder parameter = new StringBuilder();
            if (i < n && header.charAt(i) == '=') {
                i++;
                while (i < n && header.charAt(i) == ' ') {
                    i++;
                }
                if (i < n && header.charAt(i) == '"') {
                    for (i++; i < n && header.charAt(i) != '"'; i++) {
                        if (header.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        parameter.append(header.charAt(i));
                    }
                    i++;
                }
                while (i < n && header.charAt(i) != ';' && header.charAt(i) != ',') {
                    parameter.append(header.charAt(i++));
                }
            }
            if (name.equals("for")) {
                value = parameter.toString().trim();
            }
            if (i >= n || header.charAt(i) == ',') {
                values.add(value);
                value = "";
            }
            i++;
        }
        return values;
    }

    /** @return a hop without its port: {@code [v6]:port}, {@code [v6]}, {@code v4:port} or a bare address */
    private static String withoutPort(String hop) {
        if (hop.startsWith("[")) {
            int end = hop.indexOf(']');
            return end > 0 ? hop.substring(1, end) : hop;
        }
        int colon = hop.indexOf(':');
        return colon > 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
    }

    /** @return an IP literal as an address, or {@code null}; never asks DNS */
    static InetAddress literal(String text) {
        String host = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        int zone = host.indexOf('%');
        String bare = zone > 0 ? host.substring(0, zone) : host;
        try {
            if (IPV4.matcher(bare).matches()) {
                for (String part : bare.split("\\.")) {
                    if (Integer.parseInt(part) > 255) {
                        return null;
                    }
                }
                return InetAddress.getByName(bare);
            }
            if (bare.indexOf(':') >= 0 && IPV6.matcher(bare).matches()) {
                // a bracketed literal is parsed, never looked up
                return InetAddress.getByName("[" + bare + "]");
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }
}
