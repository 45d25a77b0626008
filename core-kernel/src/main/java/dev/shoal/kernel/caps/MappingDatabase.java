package dev.shoal.kernel.caps;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * A core's mapping database: every capability held in that core's CSpaces, ordered so that copies, descendants and
 * ancestors are found in O(log n), as Barrelfish's {@code mdb_tree}.
 *
 * <p><b>Order.</b> Entries are sorted by (type root, base, size descending, type, object id, insertion sequence).
 * Copies of one object are therefore adjacent; and since an object's descendants lie inside its range, are smaller
 * or of a later type ({@link CapType} declares ancestor types first), they follow it, before any object that starts
 * after it ends.
 *
 * <p><b>Relations.</b> Two entries are <i>copies</i> when they hold the same object ({@link Capability#isCopyOf}).
 * {@code D} is a <i>descendant</i> of {@code A} by {@link Capability#isDescendantOf}: same type root, a type that
 * retypes can make from {@code A}'s, a range inside {@code A}'s, a different object, and strictly smaller when of
 * {@code A}'s type. The relation is by range, not by history, as in Barrelfish: an object stays a descendant of
 * every live object whose range holds it even after the object it was made from is deleted, which is what keeps
 * retype from handing out the same memory twice. Retype keeps the database <i>laminar</i>: within a type root, two
 * objects either are disjoint or one descends from the other ({@link #checkConsistency()}).
 *
 * <p><b>Structure.</b> An AVL tree whose nodes are the {@link Cte}s themselves, each augmented with the greatest
 * reach (end of range) in its subtree, so that "is there an entry before X that reaches past Y" (the ancestor
 * query) and "is there an entry in this key range overlapping [b, e)" (the retype check) prune whole subtrees.
 *
 * <p>Called only on the owning core.
 */
public final class MappingDatabase
{
    private final int core;
    private final Deque<Cte> pendingDeletes = new ArrayDeque<>();
    private Cte root;
    private int size;
    private long sequence;
    /** Object ids handed out on this core; id 0 is the core's initial RAM ({@link CapOps#initialRam}). */
    private long objects;

    public MappingDatabase(final int core)
    {
        if (core < 0)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("core " + core);
        }
        this.core = core;
    }

    public int core()
    {
        return core;
    }

    /** Number of entries (capability copies) in the database. */
    public int size()
    {
        return size;
    }

    /** A fresh object id, unique in the machine. */
    long newObjectId()
    {
        return Capability.objectId(core, ++objects);
    }

    /**
     * Entries marked in-delete that the CPU driver could not delete locally (the last copy of a capability this
     * core owns, with copies on other cores, found while clearing a deleted CNode); the monitor finishes them with
     * the distributed delete. Mutable: the monitor removes what it finishes.
     */
    public Deque<Cte> pendingDeletes()
    {
        return pendingDeletes;
    }

    // ------------------------------------------------------------------------------------------------ queries

    /** @return true when another entry on this core holds a copy of {@code cte}'s object. */
    public boolean hasCopies(final Cte cte)
    {
        final Capability cap = held(cte);
        return !ascend(root, Key.beforeCopies(cap), Key.afterCopies(cap), Long.MIN_VALUE, n -> n == cte);
    }

    /** The other entries on this core holding a copy of {@code cte}'s object, in database order. */
    public List<Cte> copies(final Cte cte)
    {
        final List<Cte> result = new ArrayList<>();
        final Capability cap = held(cte);
        ascend(root, Key.beforeCopies(cap), Key.afterCopies(cap), Long.MIN_VALUE, n ->
        {
            if (n != cte)
            {
                result.add(n);
            }
            return true;
        });
        return result;
    }

    /** An entry on this core holding a copy of {@code cap}'s object, or null. */
    public Cte findCopy(final Capability cap)
    {
        final Cte[] found = new Cte[1];
        ascend(root, Key.beforeCopies(cap), Key.afterCopies(cap), Long.MIN_VALUE, n ->
        {
            found[0] = n;
            return false;
        });
        return found[0];
    }

    /** @return true when some entry on this core holds a descendant of {@code cte}'s object. */
    public boolean hasDescendants(final Cte cte)
    {
        return hasDescendants(held(cte));
    }

    /** @return true when some entry on this core holds a descendant of {@code cap}'s object. */
    public boolean hasDescendants(final Capability cap)
    {
        return findDescendantOverlapping(cap, cap.base(), cap.reach()) != null;
    }

    /** The entries on this core holding descendants of {@code cte}'s object, in database order. */
    public List<Cte> descendants(final Cte cte)
    {
        return descendants(held(cte));
    }

    /** The entries on this core holding descendants of {@code cap}'s object, in database order. */
    public List<Cte> descendants(final Capability cap)
    {
        final List<Cte> result = new ArrayList<>();
        ascend(root, Key.afterCopies(cap), Key.rangeEnd(cap.type().root(), cap.reach()), Long.MIN_VALUE, n ->
        {
            if (n.cap.isDescendantOf(cap))
            {
                result.add(n);
            }
            return true;
        });
        return result;
    }

    /**
     * The first entry (in database order) holding a descendant of {@code cap} that overlaps {@code [base, reach)},
     * or null: the retype check.
     */
    public Cte findDescendantOverlapping(final Capability cap, final long base, final long reach)
    {
        final Cte[] found = new Cte[1];
        ascend(root, Key.afterCopies(cap), Key.rangeEnd(cap.type().root(), reach), base, n ->
        {
            if (n.cap.isDescendantOf(cap) && n.cap.overlaps(base, reach))
            {
                found[0] = n;
                return false;
            }
            return true;
        });
        return found[0];
    }

    /** The nearest ancestor of {@code cte}'s object on this core (the smallest live object holding it), or null. */
    public Cte findAncestor(final Cte cte)
    {
        return findAncestor(held(cte));
    }

    /** The nearest ancestor of {@code cap}'s object on this core, or null. */
    public Cte findAncestor(final Capability cap)
    {
        final Cte[] found = new Cte[1];
        descend(root, Key.rootStart(cap.type().root()), Key.beforeCopies(cap), cap.reach() - 1, n ->
        {
            if (cap.isDescendantOf(n.cap))
            {
                found[0] = n;
                return false;
            }
            return true;
        });
        return found[0];
    }

    public boolean hasAncestors(final Cte cte)
    {
        return findAncestor(cte) != null;
    }

    /** Every entry in database order (diagnostics and tests; O(n)). */
    public List<Cte> entries()
    {
        final List<Cte> result = new ArrayList<>(size);
        inOrder(root, result);
        return result;
    }

    // ------------------------------------------------------------------------------------------------ updates

    /**
     * Sets the remote-relation flags selected by {@code mask} to those in {@code relations} on {@code cte} and on
     * every local copy of its object, so that copies agree (Barrelfish's {@code mdb_set_relations}). Monitor only.
     */
    public void setRelations(final Cte cte, final int relations, final int mask)
    {
        if ((mask & ~Cte.ALL_RELATIONS) != 0)
        {
            throw ShoalError.INVALID_ARGUMENT.exception("relation mask 0x" + Integer.toHexString(mask));
        }
        final int keep = ~mask;
        final int set = relations & mask;
        cte.relations = (cte.relations & keep) | set;
        for (final Cte copy : copies(cte))
        {
            copy.relations = (copy.relations & keep) | set;
        }
    }

    /** Makes {@code owner} the owner of {@code cte}'s object in every local copy. Monitor only. */
    public void setOwner(final Cte cte, final int owner)
    {
        for (final Cte copy : copies(cte))
        {
            copy.cap = copy.cap.withOwner(owner);
        }
        cte.cap = cte.cap.withOwner(owner);
    }

    /** Adds an entry that has just received its capability. */
    void insert(final Cte cte)
    {
        if (cte.inMdb || cte.cap == null)
        {
            throw new IllegalStateException("inserting " + cte + " twice or empty");
        }
        cte.sequence = ++sequence;
        root = insert(root, cte);
        cte.inMdb = true;
        size++;
    }

    /** Removes an entry; call while it still holds its capability (the capability is the entry's key). */
    void remove(final Cte cte)
    {
        if (!cte.inMdb)
        {
            throw new IllegalStateException("removing " + cte + " which is not in the mapping database");
        }
        root = remove(root, cte);
        cte.inMdb = false;
        cte.left = null;
        cte.right = null;
        cte.height = 0;
        size--;
    }

    // ------------------------------------------------------------------------------------------------ consistency

    /**
     * Checks the database's invariants, in O(n log n): the tree is a balanced search tree in the documented order
     * with correct augmentation; every entry holds a capability and is recorded as inserted; every entry's slot is
     * its CNode's slot; copies agree on type, range, owner and remote relations; within each memory type root the
     * objects are laminar (two objects are disjoint, or one descends from the other).
     *
     * @throws IllegalStateException naming the first violation found.
     */
    public void checkConsistency()
    {
        final int counted = checkSubtree(root);
        if (counted != size)
        {
            throw new IllegalStateException("tree holds " + counted + " entries, size says " + size);
        }
        final List<Cte> all = entries();
        Cte previous = null;
        final ArrayDeque<Cte> open = new ArrayDeque<>();
        for (final Cte n : all)
        {
            if (!n.inMdb || n.cap == null)
            {
                throw new IllegalStateException("entry in the tree is empty or not marked inserted: " + n);
            }
            if (n.cnode() != null && n.cnode().slot(n.index()) != n)
            {
                throw new IllegalStateException("entry is not its CNode's slot " + n.index() + ": " + n);
            }
            if (previous != null)
            {
                if (compare(previous, n) >= 0)
                {
                    throw new IllegalStateException("out of order: " + previous + " before " + n);
                }
                if (previous.cap.objectId() == n.cap.objectId())
                {
                    final Capability a = previous.cap;
                    final Capability b = n.cap;
                    if (!a.isCopyOf(b) || a.owner() != b.owner() || previous.relations != n.relations)
                    {
                        throw new IllegalStateException("copies disagree: " + previous + " and " + n);
                    }
                }
                if (previous.cap.type().root() != n.cap.type().root())
                {
                    open.clear();
                }
            }
            checkLaminar(open, n);
            previous = n;
        }
    }

    private static void checkLaminar(final ArrayDeque<Cte> open, final Cte n)
    {
        final Capability cap = n.cap;
        if (!cap.type().root().namesMemory())
        {
            return;
        }
        while (!open.isEmpty())
        {
            final Capability top = open.peek().cap;
            if (top.base() <= cap.base() && cap.reach() <= top.reach())
            {
                break;
            }
            if (top.overlaps(cap.base(), cap.reach()))
            {
                throw new IllegalStateException("objects overlap without one holding the other: " + open.peek() +
                    " and " + n);
            }
            open.pop();
        }
        if (!open.isEmpty())
        {
            final Capability top = open.peek().cap;
            if (cap.objectId() == top.objectId())
            {
                return;
            }
            if (!cap.isDescendantOf(top))
            {
                throw new IllegalStateException(n + " lies inside " + open.peek() + " but does not descend from it");
            }
        }
        if (cap.size() > 0)
        {
            open.push(n);
        }
    }

    /** @return the number of nodes in the subtree, after checking heights, balance and augmentation. */
    private static int checkSubtree(final Cte n)
    {
        if (n == null)
        {
            return 0;
        }
        final int count = 1 + checkSubtree(n.left) + checkSubtree(n.right);
        final int lh = height(n.left);
        final int rh = height(n.right);
        if (n.height != 1 + Math.max(lh, rh) || Math.abs(lh - rh) > 1)
        {
            throw new IllegalStateException("unbalanced or wrong height at " + n);
        }
        final long reach = Math.max(n.cap.reach(), Math.max(maxReach(n.left), maxReach(n.right)));
        if (n.maxReach != reach)
        {
            throw new IllegalStateException("wrong subtree reach at " + n);
        }
        return count;
    }

    // ------------------------------------------------------------------------------------------------ the tree

    /**
     * A search key: the fields of the order. Probes use extreme values to fall before or after a group, e.g. size
     * {@code Long.MAX_VALUE} sorts before every real entry with the same base (sizes sort descending).
     */
    private record Key(int root, long base, long size, int type, long objectId, long sequence)
    {
        static Key beforeCopies(final Capability cap)
        {
            return new Key(cap.type().root().ordinal(), cap.base(), cap.size(), cap.type().ordinal(), cap.objectId(),
                Long.MIN_VALUE);
        }

        static Key afterCopies(final Capability cap)
        {
            return new Key(cap.type().root().ordinal(), cap.base(), cap.size(), cap.type().ordinal(), cap.objectId(),
                Long.MAX_VALUE);
        }

        static Key rootStart(final CapType root)
        {
            return new Key(root.ordinal(), Long.MIN_VALUE, Long.MAX_VALUE, -1, Long.MIN_VALUE, Long.MIN_VALUE);
        }

        /** Falls after every entry of {@code root} whose base is below {@code base}, before all others. */
        static Key rangeEnd(final CapType root, final long base)
        {
            return new Key(root.ordinal(), base, Long.MAX_VALUE, -1, Long.MIN_VALUE, Long.MIN_VALUE);
        }
    }

    private static int compare(final Key k, final Cte n)
    {
        return compare(k.root, k.base, k.size, k.type, k.objectId, k.sequence, n);
    }

    private static int compare(final Cte a, final Cte n)
    {
        final Capability c = a.cap;
        return compare(c.type().root().ordinal(), c.base(), c.size(), c.type().ordinal(), c.objectId(), a.sequence, n);
    }

    private static int compare(
        final int root, final long base, final long size, final int type, final long objectId, final long sequence,
        final Cte n)
    {
        final Capability c = n.cap;
        int r = Integer.compare(root, c.type().root().ordinal());
        if (r != 0)
        {
            return r;
        }
        r = Long.compare(base, c.base());
        if (r != 0)
        {
            return r;
        }
        r = Long.compare(c.size(), size);
        if (r != 0)
        {
            return r;
        }
        r = Integer.compare(type, c.type().ordinal());
        if (r != 0)
        {
            return r;
        }
        r = Long.compare(objectId, c.objectId());
        return r != 0 ? r : Long.compare(sequence, n.sequence);
    }

    /**
     * Visits, in ascending order, the nodes strictly between {@code lo} and {@code hi} whose reach exceeds
     * {@code minReach}, until {@code visit} returns false.
     *
     * @return false when the visit was stopped.
     */
    private static boolean ascend(
        final Cte n, final Key lo, final Key hi, final long minReach, final Predicate<Cte> visit)
    {
        if (n == null || n.maxReach <= minReach)
        {
            return true;
        }
        final boolean aboveLo = compare(lo, n) < 0;
        final boolean belowHi = compare(hi, n) > 0;
        if (aboveLo && !ascend(n.left, lo, hi, minReach, visit))
        {
            return false;
        }
        if (aboveLo && belowHi && n.cap.reach() > minReach && !visit.test(n))
        {
            return false;
        }
        return !belowHi || ascend(n.right, lo, hi, minReach, visit);
    }

    /** As {@link #ascend} in descending order. */
    private static boolean descend(
        final Cte n, final Key lo, final Key hi, final long minReach, final Predicate<Cte> visit)
    {
        if (n == null || n.maxReach <= minReach)
        {
            return true;
        }
        final boolean aboveLo = compare(lo, n) < 0;
        final boolean belowHi = compare(hi, n) > 0;
        if (belowHi && !descend(n.right, lo, hi, minReach, visit))
        {
            return false;
        }
        if (aboveLo && belowHi && n.cap.reach() > minReach && !visit.test(n))
        {
            return false;
        }
        return !aboveLo || descend(n.left, lo, hi, minReach, visit);
    }

    private static Cte insert(final Cte n, final Cte c)
    {
        if (n == null)
        {
            c.left = null;
            c.right = null;
            update(c);
            return c;
        }
        if (compare(c, n) < 0)
        {
            n.left = insert(n.left, c);
        }
        else
        {
            n.right = insert(n.right, c);
        }
        return rebalance(n);
    }

    private static Cte remove(final Cte n, final Cte c)
    {
        if (n == null)
        {
            throw new IllegalStateException("entry missing from the tree: " + c);
        }
        final int cmp = compare(c, n);
        if (cmp < 0)
        {
            n.left = remove(n.left, c);
        }
        else if (cmp > 0)
        {
            n.right = remove(n.right, c);
        }
        else
        {
            if (n.left == null)
            {
                return n.right;
            }
            if (n.right == null)
            {
                return n.left;
            }
            Cte successor = n.right;
            while (successor.left != null)
            {
                successor = successor.left;
            }
            successor.right = removeMin(n.right);
            successor.left = n.left;
            return rebalance(successor);
        }
        return rebalance(n);
    }

    private static Cte removeMin(final Cte n)
    {
        if (n.left == null)
        {
            return n.right;
        }
        n.left = removeMin(n.left);
        return rebalance(n);
    }

    private static Cte rebalance(final Cte n)
    {
        update(n);
        final int balance = height(n.left) - height(n.right);
        if (balance > 1)
        {
            if (height(n.left.left) < height(n.left.right))
            {
                n.left = rotateLeft(n.left);
            }
            return rotateRight(n);
        }
        if (balance < -1)
        {
            if (height(n.right.right) < height(n.right.left))
            {
                n.right = rotateRight(n.right);
            }
            return rotateLeft(n);
        }
        return n;
    }

    private static Cte rotateRight(final Cte n)
    {
        final Cte l = n.left;
        n.left = l.right;
        l.right = n;
        update(n);
        update(l);
        return l;
    }

    private static Cte rotateLeft(final Cte n)
    {
        final Cte r = n.right;
        n.right = r.left;
        r.left = n;
        update(n);
        update(r);
        return r;
    }

    private static void update(final Cte n)
    {
        n.height = 1 + Math.max(height(n.left), height(n.right));
        n.maxReach = Math.max(n.cap.reach(), Math.max(maxReach(n.left), maxReach(n.right)));
    }

    private static int height(final Cte n)
    {
        return n == null ? 0 : n.height;
    }

    private static long maxReach(final Cte n)
    {
        return n == null ? Long.MIN_VALUE : n.maxReach;
    }

    private static void inOrder(final Cte n, final List<Cte> out)
    {
        if (n != null)
        {
            inOrder(n.left, out);
            out.add(n);
            inOrder(n.right, out);
        }
    }

    private static Capability held(final Cte cte)
    {
        if (cte.cap == null || !cte.inMdb)
        {
            throw ShoalError.SLOT_EMPTY.exception(cte.toString());
        }
        return cte.cap;
    }
}
