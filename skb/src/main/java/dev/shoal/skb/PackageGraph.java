package dev.shoal.skb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shortest link counts between packages, found by a breadth-first search from every package. Used to check a
 * description (is every package reachable, is there a latency for every distance that occurs) before Prolog is
 * asked anything. O(P * (P + links)): well under a millisecond for 128 packages.
 */
final class PackageGraph {

    /** Hop count between packages that no chain of links joins. */
    static final int UNREACHABLE = -1;

    private PackageGraph() {
    }

    /**
     * @param packageCount packages are numbered 0..packageCount-1
     * @param links each link as {a, b}; links are undirected
     * @return {@code hops[a][b]}, {@link #UNREACHABLE} when no chain of links joins a and b
     */
    static int[][] hops(int packageCount, List<int[]> links) {
        List<List<Integer>> neighbours = new ArrayList<>(packageCount);
        for (int p = 0; p < packageCount; p++) {
            neighbours.add(new ArrayList<>());
        }
        for (int[] link : links) {
            neighbours.get(link[0]).add(link[1]);
            neighbours.get(link[1]).add(link[0]);
        }
        int[][] hops = new int[packageCount][];
        int[] queue = new int[packageCount];
        for (int start = 0; start < packageCount; start++) {
            int[] distance = new int[packageCount];
            Arrays.fill(distance, UNREACHABLE);
            distance[start] = 0;
            int head = 0;
            int tail = 0;
            queue[tail++] = start;
            while (head < tail) {
                int p = queue[head++];
                for (int next : neighbours.get(p)) {
                    if (distance[next] == UNREACHABLE) {
                        distance[next] = distance[p] + 1;
                        queue[tail++] = next;
                    }
                }
            }
            hops[start] = distance;
        }
        return hops;
    }
}
