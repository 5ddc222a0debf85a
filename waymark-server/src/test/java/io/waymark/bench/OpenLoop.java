package io.waymark.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * An open-loop HTTP/1.1 GET load generator in the manner of wrk2: request {@code i} is due at
 * {@code start + i * interval}, whether or not earlier ones have answered, and its latency is
 * counted from that intended time, so a stall on the server shows up in every request that
 * waited behind it (no coordinated omission).
 *
 * <p>It keeps {@code connections} keep-alive sockets, one blocking thread each. A scheduler
 * thread hands each due request to a free connection through a queue; when every connection is
 * busy the request waits in the queue, and that wait is part of its latency. It reads the status
 * line, the headers and a {@code Content-Length} or chunked body, and nothing more, so that the
 * load generator, which shares the machine's two cores with the server, costs as little CPU and
 * allocation per request as it can ({@code java.net.http} cost more CPU per GET than the server
 * did, by a profile of {@code record-read}).
 */
final class OpenLoop {
    private static final long END = Long.MIN_VALUE;

    private OpenLoop() {
    }

    /**
     * Sends {@code requests} GETs to the paths {@code path.apply(i)} at one per {@code interval}
     * nanoseconds over {@code connections} connections; returns each request's latency in
     * nanoseconds, in request order. Fails if any answer is not a 200.
     */
    static long[] run(URI base, String token, int requests, long interval, int connections, IntFunction<String> path) throws Exception {
        long[] latencies = new long[requests];
        long[] intended = new long[requests];
        BlockingQueue<Long> due = new ArrayBlockingQueue<>(requests + connections);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger answered = new AtomicInteger();
        // The clock starts once every connection is open, so no request counts a connect.
        CountDownLatch connected = new CountDownLatch(connections);
        Thread[] workers = new Thread[connections];
        for (int w = 0; w < connections; w++) {
            workers[w] = new Thread(() -> {
                try (Socket s = new Socket()) {
                    s.setTcpNoDelay(true);
                    s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
                    // A server that stops answering fails the run instead of hanging it.
                    s.setSoTimeout(30_000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
                    String host = "Host: " + base.getHost() + ":" + base.getPort() + "\r\nAuthorization: Bearer " + token + "\r\n\r\n";
                    connected.countDown();
                    while (true) {
                        long k = due.take();
                        if (k == END) {
                            return;
                        }
                        int i = (int) k;
                        out.write(("GET " + path.apply(i) + " HTTP/1.1\r\n" + host).getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        int status = readResponse(in);
                        latencies[i] = System.nanoTime() - intended[i];
                        if (status != 200) {
                            throw new IllegalStateException("GET " + path.apply(i) + " -> " + status);
                        }
                        answered.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    connected.countDown();
                }
            }, "bench-open-loop-" + w);
            workers[w].setDaemon(true);
            workers[w].start();
        }
        if (!connected.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("open-loop load: connections not open after 30 s");
        }
        long start = System.nanoTime() + 1_000_000;
        for (int i = 0; i < requests && failure.get() == null; i++) {
            long at = start + i * interval;
            long wait = at - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            intended[i] = at;
            due.add((long) i);
        }
        for (int w = 0; w < connections; w++) {
            due.add(END);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (Thread t : workers) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                throw new IllegalStateException("open-loop load: " + t.getName() + " still waiting for an answer after 120 s");
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("open-loop load failed", failure.get());
        }
        // Every request answered (a latency of 0 for an unanswered one would flatter the figure).
        if (answered.get() != requests) {
            throw new IllegalStateException("open-loop load: " + answered.get() + " of " + requests + " requests answered");
        }
        return latencies;
    }

    /** Reads one response; returns its status code. */
    private static int readResponse(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            String name = h.substring(0, colon).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(h.substring(colon + 1).trim());
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && h.substring(colon + 1).trim().equalsIgnoreCase("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (long size = Long.parseLong(line(in).split(";", 2)[0].trim(), 16); size > 0;
                    size = Long.parseLong(line(in).split(";", 2)[0].trim(), 16)) {
                skip(in, size);
                line(in);
            }
            for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
                // trailers are ignored
            }
        } else if (length >= 0) {
            skip(in, length);
        } else {
            throw new IOException("a response without Content-Length or chunked encoding");
        }
        return status;
    }

    private static void skip(InputStream in, long n) throws IOException {
        while (n > 0) {
            long k = in.skip(n);
            if (k <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed in a body");
                }
                k = 1;
            }
            n -= k;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
