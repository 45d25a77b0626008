package dev.shoal.skb;

import java.util.ArrayList;
import java.util.List;

/**
 * A multicast routing tree over cores: who forwards a message to whom, and in which order. Immutable and
 * thread-safe, so one tree can be handed to every core that takes part.
 *
 * <p>Both lists are indexed by core id. {@code parents.get(c)} is {@link #NO_PARENT} for the root and
 * {@link #NOT_A_MEMBER} for a core outside the tree; {@code children.get(c)} lists c's children in send order.
 * The constructor checks that the lists describe one tree rooted at {@code root}.
 *
 * @param root the core the message starts from
 * @param parents each core's parent, indexed by core id
 * @param children each core's children in send order, indexed by core id
 */
public record RoutingTree(int root, List<Integer> parents, List<List<Integer>> children) {

    /** The root's parent. */
    public static final int NO_PARENT = -1;
    /** The parent of a core that is not in the tree. */
    public static final int NOT_A_MEMBER = -2;

    /**
     * @throws IllegalArgumentException unless the lists describe a tree rooted at {@code root} in which each
     *     member but the root appears exactly once, in its parent's children
     */
    public RoutingTree {
        parents = List.copyOf(parents);
        List<List<Integer>> copied = new ArrayList<>(children.size());
        for (List<Integer> list : children) {
            copied.add(List.copyOf(list));
        }
        children = List.copyOf(copied);
        checkShape(root, parents, children);
    }

    /** {@code core}'s parent: {@link #NO_PARENT} for the root, {@link #NOT_A_MEMBER} for a core not in the tree. */
    public int parent(int core) {
        return core >= 0 && core < parents.size() ? parents.get(core) : NOT_A_MEMBER;
    }

    /** The cores {@code core} sends to, in send order; empty for a leaf or a core not in the tree. */
    public List<Integer> children(int core) {
        return core >= 0 && core < children.size() ? children.get(core) : List.of();
    }

    /** Whether {@code core} is in the tree. */
    public boolean contains(int core) {
        return parent(core) != NOT_A_MEMBER;
    }

    /** Number of cores in the tree, the root included. */
    public int size() {
        int size = 0;
        for (int parent : parents) {
            if (parent != NOT_A_MEMBER) {
                size++;
            }
        }
        return size;
    }

    /** Links on the longest path from the root to a leaf: 0 for a lone root. */
    public int depth() {
        int depth = 0;
        List<Integer> level = List.of(root);
        while (true) {
            List<Integer> next = new ArrayList<>();
            for (int core : level) {
                next.addAll(children.get(core));
            }
            if (next.isEmpty()) {
                return depth;
            }
            depth++;
            level = next;
        }
    }

    /** The cores in the tree, in ascending order. */
    public List<Integer> members() {
        List<Integer> members = new ArrayList<>();
        for (int core = 0; core < parents.size(); core++) {
            if (parents.get(core) != NOT_A_MEMBER) {
                members.add(core);
            }
        }
        return List.copyOf(members);
    }

    private static void checkShape(int root, List<Integer> parents, List<List<Integer>> children) {
        int n = parents.size();
        if (children.size() != n) {
            throw new IllegalArgumentException("parents has " + n + " entries but children has " + children.size());
        }
        if (root < 0 || root >= n || parents.get(root) != NO_PARENT) {
            throw new IllegalArgumentException("root " + root + " must be a core whose parent is NO_PARENT");
        }
        int listed = 0;
        for (int core = 0; core < n; core++) {
            int parent = parents.get(core);
            if (parent == NOT_A_MEMBER && !children.get(core).isEmpty()) {
                throw new IllegalArgumentException("core " + core + " is not in the tree but has children");
            }
            if (parent == NO_PARENT && core != root) {
                throw new IllegalArgumentException("core " + core + " has no parent but is not the root");
            }
            for (int child : children.get(core)) {
                if (child < 0 || child >= n || parents.get(child) != core) {
                    throw new IllegalArgumentException("core " + child + " is listed as a child of " + core
                            + " but its parent is " + (child < 0 || child >= n ? "undefined" : parents.get(child)));
                }
                listed++;
            }
        }
        int members = 0;
        for (int core = 0; core < n; core++) {
            int parent = parents.get(core);
            if (parent >= 0 && !children.get(parent).contains(core)) {
                throw new IllegalArgumentException("core " + core + " is missing from its parent " + parent + "'s children");
            }
            if (parent != NOT_A_MEMBER) {
                members++;
            }
        }
        // Each member but the root is listed once; a cycle would leave some member unreachable from the root.
        if (listed != members - 1 || reachable(root, children) != members) {
            throw new IllegalArgumentException("the parents and children do not form one tree rooted at core " + root);
        }
    }

    private static int reachable(int root, List<List<Integer>> children) {
        boolean[] seen = new boolean[children.size()];
        List<Integer> stack = new ArrayList<>(List.of(root));
        int count = 0;
        while (!stack.isEmpty()) {
            int core = stack.removeLast();
            if (seen[core]) {
                continue;
            }
            seen[core] = true;
            count++;
            stack.addAll(children.get(core));
        }
        return count;
    }
}
