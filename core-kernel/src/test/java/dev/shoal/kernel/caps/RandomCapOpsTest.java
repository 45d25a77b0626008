package dev.shoal.kernel.caps;

import static dev.shoal.kernel.caps.CapsFixture.PAGE;
import static dev.shoal.kernel.caps.CapsFixture.RAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences of copy, mint, retype, delete, revoke, leaf attach/detach, locking and memory writes over three
 * CSpaces of one core, drawn from a seeded {@link Random}. After every step the mapping database must be
 * consistent and agree with a brute-force model, a failed operation must have changed nothing, and every object must
 * be cleaned up exactly once, when its last copy goes. A failure names the seed and step to replay.
 */
class RandomCapOpsTest
{
    private static final int STEPS = 1000;
    private static final long POOL_OFFSET = 256 * PAGE;
    private static final long POOL_BYTES = 256 * PAGE;
    private static final int SMALL_LEAF_BITS = 4;

    private enum Op
    {
        COPY, MINT, RETYPE, DELETE, REVOKE, ATTACH, DETACH, SCRIBBLE, REPLENISH, LOCK
    }

    private record Slot(CSpace space, int cptr)
    {
        Cte cte()
        {
            return space.slot(cptr);
        }
    }

    private Random random;
    private CapsFixture f;
    private final List<CSpace> spaces = new ArrayList<>();
    private final Map<Long, Capability> seen = new HashMap<>();
    private final Set<Long> cleaned = new HashSet<>();
    private final Map<Op, Integer> successes = new EnumMap<>(Op.class);
    private int lastCopiesChecked;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 2009, 0x5eed})
    void shouldStayConsistentUnderRandomOperations(final long seed)
    {
        random = new Random(seed);
        f = new CapsFixture();
        try
        {
            setUp();
            for (int step = 0; step < STEPS; step++)
            {
                final Op op = pick();
                try
                {
                    step(op);
                }
                catch (final AssertionError | RuntimeException e)
                {
                    throw new AssertionError("seed " + seed + ", step " + step + ", " + op + ": " + e, e);
                }
            }
            for (final Op op : new Op[] {Op.COPY, Op.MINT, Op.RETYPE, Op.DELETE, Op.REVOKE, Op.ATTACH})
            {
                assertTrue(successes.getOrDefault(op, 0) > 3, "seed " + seed + " exercised " + op + " only " +
                    successes.getOrDefault(op, 0) + " times: " + successes);
            }
        }
        finally
        {
            f.close();
        }
    }

    private void setUp()
    {
        spaces.add(f.boot);
        for (int i = 0; i < 2; i++)
        {
            final long offset = i * 4 * PAGE;
            f.ops.retype(f.boot, RAM, CapType.CNODE, offset, CapType.CTE_BYTES << 2, 1, f.slot(3));
            final CSpace space = f.ops.newCSpace(f.boot, f.slot(3), SMALL_LEAF_BITS, "space" + i);
            f.ops.delete(f.boot, f.slot(3));
            f.ops.retype(f.boot, RAM, CapType.CNODE, offset + PAGE, CapType.CTE_BYTES << SMALL_LEAF_BITS, 1, space,
                CSpace.rootSlot(0));
            spaces.add(space);
        }
        f.ops.retype(f.boot, RAM, CapType.RAM, POOL_OFFSET, POOL_BYTES, 1, f.slot(2));
        record();
        checkInvariants();
    }

    private Op pick()
    {
        final int r = random.nextInt(100);
        if (r < 15)
        {
            return Op.COPY;
        }
        if (r < 24)
        {
            return Op.MINT;
        }
        if (r < 50)
        {
            return Op.RETYPE;
        }
        if (r < 68)
        {
            return Op.DELETE;
        }
        if (r < 76)
        {
            return Op.REVOKE;
        }
        if (r < 82)
        {
            return Op.ATTACH;
        }
        if (r < 86)
        {
            return Op.DETACH;
        }
        if (r < 93)
        {
            return Op.SCRIBBLE;
        }
        return r < 97 ? Op.REPLENISH : Op.LOCK;
    }

    private void step(final Op op)
    {
        final List<Slot> slots = leafSlots();
        final List<Slot> full = new ArrayList<>();
        final List<Slot> empty = new ArrayList<>();
        for (final Slot s : slots)
        {
            (s.cte().isEmpty() ? empty : full).add(s);
        }
        final List<String> before = ShoalAssertions.snapshot(f.ops);
        try
        {
            final boolean done = switch (op)
            {
                case COPY -> copy(full, empty, slots);
                case MINT -> mint(full, empty, slots);
                case RETYPE -> retype(full, empty, slots);
                case DELETE -> delete(full);
                case REVOKE -> revoke(full);
                case ATTACH -> attach(full);
                case DETACH -> detach();
                case SCRIBBLE -> scribble(full);
                case REPLENISH -> replenish(empty);
                case LOCK -> lock(full);
            };
            if (done)
            {
                successes.merge(op, 1, Integer::sum);
            }
        }
        catch (final ShoalException e)
        {
            assertEquals(before, ShoalAssertions.snapshot(f.ops), "failed " + op + " changed the database: " + e);
        }
        record();
        checkInvariants();
    }

    // ------------------------------------------------------------------------------------------------ operations

    private boolean copy(final List<Slot> full, final List<Slot> empty, final List<Slot> all)
    {
        if (full.isEmpty())
        {
            return false;
        }
        final Slot src = any(full);
        final Slot dst = destination(empty, all);
        f.ops.copy(src.space, src.cptr, dst.space, dst.cptr);
        assertTrue(dst.cte().capability().isCopyOf(src.cte().capability()));
        return true;
    }

    private boolean mint(final List<Slot> full, final List<Slot> empty, final List<Slot> all)
    {
        if (full.isEmpty())
        {
            return false;
        }
        final Slot src = any(full);
        final Slot dst = destination(empty, all);
        final Rights source = src.cte().capability().rights();
        // Mostly a subset of the source's rights (keeping GRANT and WRITE often), sometimes anything at all.
        final Rights asked = random.nextInt(5) == 0 ? Rights.of(random.nextInt(Rights.ALL_BITS + 1)) :
            source.intersect(Rights.of(random.nextInt(Rights.ALL_BITS + 1) | Rights.GRANT_BIT | Rights.WRITE_BIT));
        try
        {
            f.ops.mint(src.space, src.cptr, dst.space, dst.cptr, asked);
        }
        catch (final ShoalException e)
        {
            if (!source.contains(asked) && source.contains(Rights.GRANT) && !src.cte().isLocked())
            {
                assertEquals(ShoalError.INSUFFICIENT_RIGHTS, e.error(), "mint cannot add rights");
            }
            throw e;
        }
        assertTrue(source.contains(asked), "mint added rights: " + source + " -> " + asked);
        assertEquals(asked, dst.cte().capability().rights());
        return true;
    }

    private boolean retype(final List<Slot> full, final List<Slot> empty, final List<Slot> all)
    {
        if (full.isEmpty())
        {
            return false;
        }
        // Mostly a source that can be retyped and a type it can become; sometimes anything, to meet the refusals.
        final List<Slot> sources = full.stream().filter(x -> x.cte().capability().type() == CapType.RAM ||
            x.cte().capability().type() == CapType.FRAME || x.cte().capability().type() == CapType.DISPATCHER).toList();
        final Slot src = sources.isEmpty() || random.nextInt(5) == 0 ? any(full) : any(sources);
        final Capability from = src.cte().capability();
        final CapType type = from.type() == CapType.DISPATCHER && random.nextInt(4) != 0 ? CapType.ENDPOINT :
            from.type() == CapType.FRAME && random.nextInt(4) != 0 ? CapType.FRAME :
            switch (random.nextInt(8))
            {
                case 0, 1 -> CapType.FRAME;
                case 2 -> CapType.RAM;
                case 3, 4 -> CapType.CNODE;
                case 5 -> CapType.VNODE_L1;
                case 6 -> CapType.DISPATCHER;
                default -> random.nextBoolean() ? CapType.ENDPOINT : CapType.VNODE_L4;
            };
        final long bytes = switch (type)
        {
            case FRAME, RAM -> PAGE << random.nextInt(5);
            case CNODE -> CapType.CTE_BYTES << (random.nextInt(3) == 0 ? 2 + random.nextInt(3) :
                random.nextBoolean() ? SMALL_LEAF_BITS : CapsFixture.LEAF_BITS);
            case DISPATCHER -> CapType.DISPATCHER_BYTES;
            case ENDPOINT -> 0;
            default -> PAGE;
        };
        final long unit = type == CapType.DISPATCHER ? CapType.DISPATCHER_BYTES : PAGE;
        final long offset = from.size() < unit ? 0 : unit * random.nextInt((int)Math.min(from.size() / unit, 64));
        final int count = 1 + random.nextInt(3);
        final Slot dst = destination(empty, all);
        f.ops.retype(src.space, src.cptr, type, offset, bytes, count, dst.space, dst.cptr);

        final CNode cnode = dst.cte().cnode();
        for (int i = 0; i < count; i++)
        {
            final Cte made = cnode.slot(dst.cte().index() + i);
            final Capability cap = made.capability();
            assertEquals(type, cap.type());
            assertTrue(cap.isDescendantOf(from), cap + " descends from " + from);
            if (from.type() == CapType.RAM && type.zeroedWhenMadeFromRam())
            {
                assertZero(cap.base(), cap.size());
            }
        }
        return true;
    }

    private boolean delete(final List<Slot> full)
    {
        if (full.isEmpty())
        {
            return false;
        }
        final Slot victim = any(full);
        final Capability cap = victim.cte().capability();
        final boolean last = !f.ops.mdb().hasCopies(victim.cte());
        final int hooks = f.lastCopies.size();
        f.ops.delete(victim.space, victim.cptr);
        assertTrue(victim.cte().isEmpty());
        assertEquals(last, f.lastCopies.size() > hooks && f.lastCopies.get(hooks).equals(cap),
            "the hook ran for " + cap + " exactly when its last copy went");
        return true;
    }

    private boolean revoke(final List<Slot> full)
    {
        if (full.isEmpty())
        {
            return false;
        }
        final Slot target = any(full);
        final Cte cte = target.cte();
        final Capability cap = cte.capability();
        f.ops.revoke(target.space, target.cptr);
        for (final Cte e : f.ops.mdb().entries())
        {
            if (e != cte)
            {
                assertTrue(!e.capability().isCopyOf(cap) && !e.capability().isDescendantOf(cap),
                    "revoke of " + cap + " left " + e);
            }
        }
        return true;
    }

    /** Copies a CNODE capability from a leaf slot into a free root slot of a CSpace whose leaves it fits. */
    private boolean attach(final List<Slot> full)
    {
        final List<Slot> cnodes = full.stream().filter(s -> s.cte().capability().type() == CapType.CNODE).toList();
        if (cnodes.isEmpty())
        {
            return false;
        }
        final Slot src = any(cnodes);
        final int slots = (int)(src.cte().capability().size() / CapType.CTE_BYTES);
        final List<CSpace> fitting = spaces.stream().filter(x -> 1 << x.leafBits() == slots).toList();
        final CSpace space = fitting.isEmpty() || random.nextInt(5) == 0 ? any(spaces) : any(fitting);
        final int rootIndex = 1 + random.nextInt((1 << space.rootBits()) - 1);
        f.ops.copy(src.space, src.cptr, space, CSpace.rootSlot(rootIndex));
        return true;
    }

    private boolean detach()
    {
        final CSpace space = spaces.get(random.nextInt(spaces.size()));
        final int rootIndex = 1 + random.nextInt((1 << space.rootBits()) - 1);
        f.ops.delete(space, CSpace.rootSlot(rootIndex));
        return true;
    }

    private boolean scribble(final List<Slot> full)
    {
        final List<Slot> frames = full.stream().filter(s -> s.cte().capability().type() == CapType.FRAME).toList();
        if (frames.isEmpty())
        {
            return false;
        }
        final Capability frame = any(frames).cte().capability();
        final byte[] junk = new byte[(int)frame.size()];
        java.util.Arrays.fill(junk, (byte)(1 + random.nextInt(255)));
        f.memory.write(frame.base(), junk, 0, junk.length);
        return true;
    }

    private boolean replenish(final List<Slot> empty)
    {
        if (empty.isEmpty())
        {
            return false;
        }
        final Slot dst = any(empty);
        final long offset = POOL_OFFSET + PAGE * 16 * random.nextInt(32);
        f.ops.retype(f.boot, RAM, CapType.RAM, offset, PAGE * 16 << random.nextInt(3), 1, dst.space, dst.cptr);
        return true;
    }

    private boolean lock(final List<Slot> full)
    {
        if (full.isEmpty())
        {
            return false;
        }
        final Cte cte = any(full).cte();
        cte.setLocked(!cte.isLocked());
        return true;
    }

    // ------------------------------------------------------------------------------------------------ invariants

    private void record()
    {
        for (int i = lastCopiesChecked; i < f.lastCopies.size(); i++)
        {
            final Capability cap = f.lastCopies.get(i);
            assertTrue(cleaned.add(cap.objectId()), "cleaned up twice: " + cap);
        }
        lastCopiesChecked = f.lastCopies.size();
        for (final Cte cte : f.ops.mdb().entries())
        {
            seen.putIfAbsent(cte.capability().objectId(), cte.capability());
        }
    }

    private void checkInvariants()
    {
        f.ops.checkConsistency();
        final MappingDatabase mdb = f.ops.mdb();
        final List<Cte> entries = mdb.entries();

        final Map<Long, Capability> live = new HashMap<>();
        for (final Cte e : entries)
        {
            live.putIfAbsent(e.capability().objectId(), e.capability());
        }
        for (final Map.Entry<Long, Capability> s : seen.entrySet())
        {
            final boolean isLive = live.containsKey(s.getKey());
            final boolean isCleaned = cleaned.contains(s.getKey());
            if (isLive == isCleaned)
            {
                fail((isLive ? "cleaned up while alive: " : "gone without clean-up: ") + s.getValue());
            }
        }

        // No two live objects of memory overlap unless one descends from the other (endpoints name a dispatcher,
        // and several may name the same one).
        final List<Capability> objects = live.values().stream().filter(c -> c.type().namesMemory()).toList();
        for (int i = 0; i < objects.size(); i++)
        {
            final Capability a = objects.get(i);
            for (int j = i + 1; j < objects.size(); j++)
            {
                final Capability b = objects.get(j);
                if (a.type().root() == b.type().root() && a.overlaps(b.base(), b.reach()) &&
                    !a.isDescendantOf(b) && !b.isDescendantOf(a))
                {
                    fail("unrelated objects overlap: " + a + " and " + b);
                }
            }
        }

        // The database's answers agree with brute force.
        for (int k = 0; k < 4 && !entries.isEmpty(); k++)
        {
            final Cte probe = entries.get(random.nextInt(entries.size()));
            final Capability cap = probe.capability();
            final Set<Cte> copies = identitySet();
            final Set<Cte> descendants = identitySet();
            final List<Cte> ancestors = new ArrayList<>();
            for (final Cte e : entries)
            {
                if (e != probe && e.capability().isCopyOf(cap))
                {
                    copies.add(e);
                }
                if (e.capability().isDescendantOf(cap))
                {
                    descendants.add(e);
                }
                if (cap.isDescendantOf(e.capability()))
                {
                    ancestors.add(e);
                }
            }
            assertEquals(copies, asIdentitySet(mdb.copies(probe)), "copies of " + probe);
            assertEquals(!copies.isEmpty(), mdb.hasCopies(probe));
            assertEquals(descendants, asIdentitySet(mdb.descendants(probe)), "descendants of " + probe);
            assertEquals(!descendants.isEmpty(), mdb.hasDescendants(probe));
            final Cte ancestor = mdb.findAncestor(probe);
            if (ancestors.isEmpty())
            {
                assertEquals(null, ancestor, "ancestor of " + probe);
            }
            else
            {
                final Capability nearest = nearest(ancestors);
                assertTrue(ancestor != null && ancestor.capability().isCopyOf(nearest),
                    "nearest ancestor of " + probe + " is " + nearest + ", not " + ancestor);
            }
        }
    }

    /** The ancestor that descends from all the others. */
    private static Capability nearest(final List<Cte> ancestors)
    {
        outer:
        for (final Cte candidate : ancestors)
        {
            for (final Cte other : ancestors)
            {
                if (!other.capability().isCopyOf(candidate.capability()) &&
                    !candidate.capability().isDescendantOf(other.capability()))
                {
                    continue outer;
                }
            }
            return candidate.capability();
        }
        throw new AssertionError("ancestors are not a chain: " + ancestors);
    }

    private void assertZero(final long base, final long size)
    {
        final byte[] bytes = new byte[(int)size];
        f.memory.read(base, bytes, 0, bytes.length);
        assertTrue(isZero(bytes), "new object at 0x" + Long.toHexString(base) + " shows old bytes");
    }

    private static boolean isZero(final byte[] bytes)
    {
        for (final byte b : bytes)
        {
            if (b != 0)
            {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Every slot of every attached leaf of every live CSpace, except the boot KERNEL and RAM slots. */
    private List<Slot> leafSlots()
    {
        final List<Slot> slots = new ArrayList<>();
        for (final CSpace space : spaces)
        {
            for (int r = 0; r < 1 << space.rootBits(); r++)
            {
                final Capability leaf = space.capability(CSpace.rootSlot(r));
                if (leaf == null)
                {
                    continue;
                }
                for (int l = 0; l < 1 << space.leafBits(); l++)
                {
                    final int cptr = space.cptr(r, l);
                    if (space != f.boot || (cptr != CSpace.BOOT_KERNEL_CPTR && cptr != CSpace.BOOT_RAM_CPTR))
                    {
                        slots.add(new Slot(space, cptr));
                    }
                }
            }
        }
        return slots;
    }

    private Slot destination(final List<Slot> empty, final List<Slot> all)
    {
        return empty.isEmpty() || random.nextInt(10) == 0 ? any(all) : any(empty);
    }

    private <T> T any(final List<T> list)
    {
        return list.get(random.nextInt(list.size()));
    }

    private static Set<Cte> identitySet()
    {
        return java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    }

    private static Set<Cte> asIdentitySet(final List<Cte> list)
    {
        final Set<Cte> set = identitySet();
        set.addAll(list);
        return set;
    }
}
