package io.waymark.pathfinder;

import java.util.Arrays;

/**
 * Groups cases by their exact sequence of activities (variants, or paths before a goal), with an
 * open-addressing table over ranges of one int array: no sequence is copied or boxed.
 */
final class Groups {
    int groups;
    int[] groupOf;
    int[] firstCase;
    int[] count;

    static Groups of(int[] act, int[] start, int[] end, int cases) {
        Groups g = new Groups();
        g.groupOf = new int[cases];
        g.firstCase = new int[16];
        g.count = new int[16];
        int cap = Integer.highestOneBit(Math.max(16, cases * 2 - 1)) << 1;
        int[] table = new int[cap];
        int[] tableHash = new int[cap];
        Arrays.fill(table, -1);
        int mask = cap - 1;
        for (int c = 0; c < cases; c++) {
            int s = start[c];
            int e = end[c];
            int h = e - s;
            for (int i = s; i < e; i++) {
                h = h * 31 + act[i];
            }
            h ^= h >>> 16;
            int slot = h & mask;
            while (true) {
                int grp = table[slot];
                if (grp < 0) {
                    if (g.groups == g.firstCase.length) {
                        g.firstCase = Arrays.copyOf(g.firstCase, g.groups * 2);
                        g.count = Arrays.copyOf(g.count, g.groups * 2);
                    }
                    table[slot] = g.groups;
                    tableHash[slot] = h;
                    g.firstCase[g.groups] = c;
                    g.count[g.groups] = 1;
                    g.groupOf[c] = g.groups;
                    g.groups++;
                    break;
                }
                int fc = g.firstCase[grp];
                if (tableHash[slot] == h && Arrays.equals(act, start[fc], end[fc], act, s, e)) {
                    g.count[grp]++;
                    g.groupOf[c] = grp;
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        return g;
    }

    /** Up to {@code limit} group ids, largest first; ties in order of first appearance. */
    int[] byCount(int limit) {
        Integer[] ids = new Integer[groups];
        for (int i = 0; i < groups; i++) {
            ids[i] = i;
        }
        Arrays.sort(ids, (a, b) -> count[a] != count[b] ? Integer.compare(count[b], count[a]) : Integer.compare(a, b));
        int n = Math.min(limit, groups);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
