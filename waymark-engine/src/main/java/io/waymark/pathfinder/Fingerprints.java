package io.waymark.pathfinder;

/**
 * 64-bit fingerprints of strings, and a primitive map from them to ints. Live discovery meets
 * each subject and identifier value once per signal — millions of times — and a boxed
 * {@code HashMap<String, Integer>} spends most of that time chasing pointers. Two different
 * strings share a fingerprint with a probability of about n²/2⁶⁵ (for a million distinct values,
 * about 3·10⁻⁸).
 */
final class Fingerprints {
    private Fingerprints() {
    }

    /** FNV-1a over the characters, then a final avalanche (so that low bits are usable as slots). */
    static long of(String s, long salt) {
        long h = 0xcbf29ce484222325L ^ salt;
        for (int i = 0, n = s.length(); i < n; i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /**
     * Open addressing with linear probing over one interleaved array (key, value, key, value …),
     * so that a lookup touches one cache line. Key 0 marks a free slot (a fingerprint of 0 is
     * stored as 1). {@link #get} answers -1 when the key is absent.
     */
    static final class LongIntMap {
        private long[] table = new long[2 << 12];
        private int size;

        int get(long key) {
            long k = key == 0 ? 1 : key;
            int mask = (table.length >> 1) - 1;
            int slot = (int) k & mask;
            while (true) {
                long at = table[slot << 1];
                if (at == k) {
                    return (int) table[(slot << 1) + 1];
                }
                if (at == 0) {
                    return -1;
                }
                slot = (slot + 1) & mask;
            }
        }

        void put(long key, int value) {
            if ((size + 1) * 2 > table.length >> 1) {
                grow();
            }
            long k = key == 0 ? 1 : key;
            int mask = (table.length >> 1) - 1;
            int slot = (int) k & mask;
            while (table[slot << 1] != 0 && table[slot << 1] != k) {
                slot = (slot + 1) & mask;
            }
            if (table[slot << 1] == 0) {
                size++;
            }
            table[slot << 1] = k;
            table[(slot << 1) + 1] = value;
        }

        private void grow() {
            long[] old = table;
            table = new long[old.length * 2];
            size = 0;
            for (int i = 0; i < old.length; i += 2) {
                if (old[i] != 0) {
                    put(old[i], (int) old[i + 1]);
                }
            }
        }

        int size() {
            return size;
        }
    }
}
