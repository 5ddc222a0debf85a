package io.waymark.server;

import io.waymark.error.TooManyRequestsException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per caller (an API token or a session), refilled by the engine's clock so that
 * tests move time instead of sleeping. A refused request gets 429 with the seconds until one more
 * request is allowed.
 */
final class RateLimiter {
    private static final int MAX_BUCKETS = 100_000;

    private final ServerConfig.RateLimit limit;
    private final Clock clock;
    private final double perMilli;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    RateLimiter(ServerConfig.RateLimit limit, Clock clock) {
        this.limit = limit;
        this.clock = clock;
        this.perMilli = (double) limit.requests() / limit.per().toMillis();
    }

    /** Takes one request from the caller's bucket, or throws 429. */
    void acquire(String caller) {
        if (!limit.enabled()) {
            return;
        }
        long now = clock.millis();
        if (buckets.size() > MAX_BUCKETS) {
            // Full buckets carry no information: forgetting them changes nothing.
            buckets.values().removeIf(b -> b.tokens + (now - b.at) * perMilli >= limit.requests());
        }
        Bucket b = buckets.computeIfAbsent(caller, k -> new Bucket(limit.requests(), now));
        synchronized (b) {
            if (now > b.at) {
                b.tokens = Math.min(limit.requests(), b.tokens + (now - b.at) * perMilli);
                b.at = now;
            }
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return;
            }
            long wait = (long) Math.ceil((1 - b.tokens) / perMilli);
            throw new TooManyRequestsException("Rate limit of " + limit.requests() + " requests per " + limit.per()
                    + " reached; retry later", Duration.ofMillis(wait));
        }
    }
}
