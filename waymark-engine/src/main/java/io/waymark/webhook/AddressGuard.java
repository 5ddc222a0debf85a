package io.waymark.webhook;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Keeps webhooks away from the server's own network (SSRF): a target whose host resolves to a
 * loopback, private, link-local, carrier-grade NAT, multicast, documentation, benchmarking or
 * otherwise reserved address is refused, unless the configuration allows that host or address
 * range. Checked when a webhook is saved and again, after a fresh DNS lookup, on every call.
 */
public final class AddressGuard {
    private static final List<Range> SPECIAL = List.of(
            Range.parse("0.0.0.0/8"), Range.parse("10.0.0.0/8"), Range.parse("100.64.0.0/10"), Range.parse("127.0.0.0/8"),
            Range.parse("169.254.0.0/16"), Range.parse("172.16.0.0/12"), Range.parse("192.0.0.0/24"), Range.parse("192.0.2.0/24"),
            Range.parse("192.88.99.0/24"), Range.parse("192.168.0.0/16"), Range.parse("198.18.0.0/15"), Range.parse("198.51.100.0/24"),
            Range.parse("203.0.113.0/24"), Range.parse("224.0.0.0/4"), Range.parse("240.0.0.0/4"),
            Range.parse("::/128"), Range.parse("::1/128"), Range.parse("64:ff9b::/96"),
            Range.parse("100::/64"), Range.parse("2001::/23"), Range.parse("2001:db8::/32"), Range.parse("2002::/16"),
            Range.parse("fc00::/7"), Range.parse("fe80::/10"), Range.parse("fec0::/10"), Range.parse("ff00::/8"));

    /** Resolves a host name to its addresses. */
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final List<String> allowedHosts = new ArrayList<>();
    private final List<Range> allowedRanges = new ArrayList<>();
    private final Resolver resolver;

    /**
     * @param allowList host names, IP addresses and CIDR ranges (e.g. {@code 10.1.0.0/16}) that may be reached
     */
    public AddressGuard(List<String> allowList, Resolver resolver) {
        for (String entry : allowList) {
            String e = entry.strip().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            Range r = Range.tryParse(e.contains("/") ? e : e + (e.contains(":") ? "/128" : "/32"));
            if (r != null && (e.contains("/") || isLiteral(e))) {
                allowedRanges.add(r);
            } else {
                allowedHosts.add(e);
            }
        }
        this.resolver = resolver;
    }

    public AddressGuard(List<String> allowList) {
        this(allowList, InetAddress::getAllByName);
    }

    /**
     * The addresses a URL may be called on, or a {@link Refused} saying why not: a scheme other
     * than http(s), credentials in the URL, a host that does not resolve, or any resolved address
     * that is special and not allowed.
     */
    public List<InetAddress> check(URI uri) throws Refused {
        if (uri == null || uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
            throw new Refused("must be an http or https URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("must not carry credentials; use headers or the signature");
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new Refused("has no host");
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        boolean hostAllowed = allowedHosts.contains(h);
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(h);
        } catch (UnknownHostException e) {
            throw new Refused("host " + host + " does not resolve");
        }
        if (addresses.length == 0) {
            throw new Refused("host " + host + " does not resolve");
        }
        for (InetAddress a : addresses) {
            if (!hostAllowed && special(a) && allowedRanges.stream().noneMatch(r -> r.contains(a))) {
                throw new Refused("host " + host + " resolves to " + a.getHostAddress()
                        + ", a loopback, private, link-local or reserved address; add it to the webhook allow-list to permit it");
            }
        }
        return List.of(addresses);
    }

    /** Whether an address is not a public unicast one. */
    public static boolean special(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isMulticastAddress()) {
            return true;
        }
        return SPECIAL.stream().anyMatch(r -> r.contains(a));
    }

    private static boolean isLiteral(String s) {
        return s.matches("[0-9.]+") || s.contains(":");
    }

    /** A target refused by the guard; the message says why. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    private record Range(BigInteger base, int bits, int prefix) {
        static Range parse(String cidr) {
            Range r = tryParse(cidr);
            if (r == null) {
                throw new IllegalArgumentException(cidr);
            }
            return r;
        }

        static Range tryParse(String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                return null;
            }
            String addr = cidr.substring(0, slash);
            if (!isLiteral(addr)) {
                return null;
            }
            try {
                InetAddress a = InetAddress.getByName(addr);
                int bits = a instanceof Inet4Address ? 32 : 128;
                byte[] raw = a.getAddress();
                int prefix = Integer.parseInt(cidr.substring(slash + 1));
                if (prefix < 0 || prefix > bits) {
                    return null;
                }
                return new Range(new BigInteger(1, raw).shiftRight(bits - prefix), bits, prefix);
            } catch (UnknownHostException | NumberFormatException e) {
                return null;
            }
        }

        boolean contains(InetAddress a) {
            // Java folds IPv4-mapped IPv6 literals into IPv4 addresses, so families never need mixing.
            byte[] raw = a.getAddress();
            if (raw.length * 8 != bits) {
                return false;
            }
            return new BigInteger(1, raw).shiftRight(bits - prefix).equals(base);
        }
    }
}
