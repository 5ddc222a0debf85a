package io.waymark.inbound;

import io.waymark.error.TooManyRequestsException;
import java.time.Duration;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per key, refilled from the injected clock (so a flood is tested without
 * sleeping). Kept in memory on each node: a flood spread over several nodes is limited per node.
 */
public final class RateLimiter {
    private static final int MAX_KEYS = 100_000;

    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    public RateLimiter(Clock clock) {
        this.clock = clock;
    }

    /**
     * Takes one token from {@code key}'s bucket (holding up to {@code burst}, refilled at
     * {@code perMinute}), or throws {@link TooManyRequestsException} with the wait until the next.
     */
    public void take(String key, int burst, int perMinute, String what) {
        long now = clock.millis();
        if (buckets.size() > MAX_KEYS) {
            evictFull(now, burst, perMinute);
        }
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        synchronized (b) {
            double perMilli = perMinute / 60_000.0;
            b.tokens = Math.min(burst, b.tokens + Math.max(0, now - b.at) * perMilli);
            b.at = Math.max(b.at, now);
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return;
            }
            long wait = Math.max(1, (long) Math.ceil((1 - b.tokens) / perMilli / 1000.0));
            throw new TooManyRequestsException("Too many " + what + "; try again in " + wait + " s", Duration.ofSeconds(wait));
        }
    }

    private void evictFull(long now, int burst, int perMinute) {
        for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
            Bucket b = it.next().getValue();
            if (b.tokens + (now - b.at) * perMinute / 60_000.0 >= burst) {
                it.remove();
            }
        }
    }
}
