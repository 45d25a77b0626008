package dev.shoal.apps.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.shoal.libos.Os;
import dev.shoal.libos.alloc.AllocationPolicy;

/**
 * One core's share of the key space. Keys and values live in the dispatcher's own mapped memory, in blocks of the
 * application's {@link AllocationPolicy}; each record is {@code [int keyLength][key][value]}. The index that finds
 * them is an open-addressing table (linear probing, tombstones) private to this core: per slot the record's
 * address, its size, its key's length and hash, and its expiry time.
 *
 * <p>A record larger than the policy's largest block (a <em>large</em> record: its size, {@code 4 + key + value},
 * passes {@link AllocationPolicy#maxAllocation()}) keeps its value in pieces of that block size, each a block of
 * its own: the record's block then holds {@code [int keyLength][key][long piece address × n]}, with {@code n} the
 * value's length divided by the piece size, rounded up. Such a value takes its pieces from the same memory as
 * every other record, so {@code --memory} bounds it; a write that finds too few blocks takes none.
 *
 * <p>Expiry times are device milliseconds: the NIC stamps each request with its time, and the core passes the
 * latest stamp as {@code now}; no code on the core reads the host clock. An expired key is removed when it is next
 * touched, and by {@link #size(long)}.
 *
 * <p>Core-local: used only by the dispatchers of its core, none of which yields inside a call.
 */
final class Shard
{
    static final int OK = 0;
    static final int NOT_SET = 1;
    static final int NO_MEMORY = 2;

    private static final long EMPTY = 0;
    private static final long TOMBSTONE = -1;
    private static final long NO_EXPIRY = 0;

    private final Os os;
    private final AllocationPolicy memory;
    private long[] address = new long[64];
    private int[] size = new int[64];
    private int[] keyLength = new int[64];
    private int[] hash = new int[64];
    private long[] expireAt = new long[64];
    /** Per slot, the shard's write count when its key was last written (WATCH's token), from {@link #writes}. */
    private long[] version = new long[64];
    private long writes;
    /** INFO's counters, summed over the shards: lookups of reading commands that found their key or not, and
     *  requests this shard's core ran. */
    long hits;
    long misses;
    long commandsProcessed;
    private int count;
    private int used;
    private int expiring;
    private byte[] scratch = new byte[256];
    /** Records up to this size are read whole by the key comparison, so that a GET reads its memory once. */
    private static final int READ_WHOLE = 512;
    /** The record whose bytes are in {@link #scratch} (its address, or EMPTY when none is). */
    private long scratchRecord = EMPTY;

    Shard(final Os os, final AllocationPolicy memory)
    {
        this.os = os;
        this.memory = memory;
    }

    int count()
    {
        return count;
    }

    int expiring()
    {
        return expiring;
    }

    AllocationPolicy memory()
    {
        return memory;
    }

    /** The slot of {@code key}, or -1; an expired key is deleted and reported absent. */
    int find(final byte[] key, final int h, final long now)
    {
        return find(key, 0, key.length, h, now);
    }

    /** The slot of the key {@code key[offset, offset + length)}, or -1; as {@link #find(byte[], int, long)}. */
    int find(final byte[] key, final int offset, final int length, final int h, final long now)
    {
        final int mask = address.length - 1;
        for (int i = mix(h) & mask; ; i = (i + 1) & mask)
        {
            final long a = address[i];
            if (a == EMPTY)
            {
                return -1;
            }
            if (a != TOMBSTONE && hash[i] == h && keyLength[i] == length && keyEquals(i, key, offset, length))
            {
                if (expireAt[i] != NO_EXPIRY && expireAt[i] <= now)
                {
                    remove(i);
                    return -1;
                }
                return i;
            }
        }
    }

    private boolean keyEquals(final int slot, final byte[] key, final int offset, final int length)
    {
        final long record = address[slot];
        final int whole = size[slot];
        final byte[] s = scratch(whole <= READ_WHOLE ? whole : 4 + length);
        if (whole <= READ_WHOLE)
        {
            os.readBytes(record, s, 0, whole);
            scratchRecord = record;
        }
        else
        {
            os.readBytes(record + 4, s, 4, length);
        }
        return Arrays.equals(s, 4, 4 + length, key, offset, offset + length);
    }

    int valueLength(final int slot)
    {
        return size[slot] - 4 - keyLength[slot];
    }

    /** Copies the value of {@code slot} into {@code dst} at {@code offset}. */
    void readValue(final int slot, final byte[] dst, final int offset)
    {
        if (address[slot] == scratchRecord)
        {
            // find() has just read this record whole.
            System.arraycopy(scratch, 4 + keyLength[slot], dst, offset, valueLength(slot));
            return;
        }
        if (large(size[slot]))
        {
            final int valueLen = valueLength(slot);
            final long[] pieces = pieces(address[slot], keyLength[slot], valueLen);
            final int piece = memory.maxAllocation();
            for (int i = 0; i < pieces.length; i++)
            {
                os.readBytes(pieces[i], dst, offset + i * piece, Math.min(piece, valueLen - i * piece));
            }
            return;
        }
        os.readBytes(address[slot] + 4 + keyLength[slot], dst, offset, valueLength(slot));
    }

    byte[] value(final int slot)
    {
        final byte[] v = new byte[valueLength(slot)];
        readValue(slot, v, 0);
        return v;
    }

    long expireAt(final int slot)
    {
        return expireAt[slot];
    }

    /**
     * Stores {@code key → value}.
     *
     * @param ifExists   1: only when the key exists (XX); -1: only when it does not (NX); 0: either way.
     * @param expiry     the new expiry (device ms), {@link #NO_EXPIRY} for none.
     * @param keepExpiry keep the key's current expiry instead (KEEPTTL, INCR).
     * @return {@link #OK}, {@link #NOT_SET} (the NX/XX condition failed) or {@link #NO_MEMORY}.
     */
    int set(final byte[] key, final int h, final byte[] value, final int ifExists, final long expiry,
        final boolean keepExpiry, final long now)
    {
        return set(key, 0, key.length, h, value, 0, value.length, ifExists, expiry, keepExpiry, now);
    }

    /** As {@link #set(byte[], int, byte[], int, long, boolean, long)}, for a key and a value given as slices. */
    int set(final byte[] key, final int keyOffset, final int keyLen, final int h, final byte[] value,
        final int valueOffset, final int valueLen, final int ifExists, final long expiry, final boolean keepExpiry,
        final long now)
    {
        final int slot = find(key, keyOffset, keyLen, h, now);
        if ((ifExists > 0 && slot < 0) || (ifExists < 0 && slot >= 0))
        {
            return NOT_SET;
        }
        if (4L + keyLen + valueLen > MAX_RECORD)
        {
            return NO_MEMORY;
        }
        final int bytes = 4 + keyLen + valueLen;
        if (slot >= 0)
        {
            final long old = address[slot];
            long a = old;
            if (large(bytes) || large(size[slot]) || blockOf(size[slot]) != blockOf(bytes))
            {
                // The new record's blocks are taken before the old ones go: a write that finds no room changes
                // nothing.
                a = allocateRecord(keyLen, valueLen);
                if (a == AllocationPolicy.NO_MEMORY)
                {
                    return NO_MEMORY;
                }
                freeRecord(old, keyLength[slot], size[slot]);
            }
            write(a, key, keyOffset, keyLen, value, valueOffset, valueLen);
            address[slot] = a;
            size[slot] = bytes;
            setExpiry(slot, keepExpiry ? expireAt[slot] : expiry);
            return OK;
        }
        final long a = allocateRecord(keyLen, valueLen);
        if (a == AllocationPolicy.NO_MEMORY)
        {
            return NO_MEMORY;
        }
        write(a, key, keyOffset, keyLen, value, valueOffset, valueLen);
        insert(a, bytes, keyLen, h, expiry);
        return OK;
    }

    /** In {@link #reserve}'s answer: the pair is written over its key's record in place, needing no block. */
    static final long IN_PLACE = 0;
    /** In {@link #reserve}'s answer: a later pair sets the same key, so this one is not written. */
    static final long SUPERSEDED = -1;

    /**
     * Phase one of an all-or-nothing write of key-value pairs (MSET): takes every block the pairs need, or none.
     * Between this and {@link #commitReserved} or {@link #cancelReserved} nothing else may run on the shard (the
     * caller holds its lock), so what was found here is still so there.
     *
     * @return per pair its block, {@link #IN_PLACE} or {@link #SUPERSEDED}; null when memory does not suffice
     *         (then nothing is held).
     */
    long[] reserve(final byte[][] pairs, final long now)
    {
        final long[] blocks = new long[pairs.length / 2];
        final java.util.Set<java.nio.ByteBuffer> later = new java.util.HashSet<>();
        for (int i = blocks.length - 1; i >= 0; i--)
        {
            final byte[] key = pairs[2 * i];
            if (!later.add(java.nio.ByteBuffer.wrap(key)))
            {
                blocks[i] = SUPERSEDED;
                continue;
            }
            final long bytes = 4L + key.length + pairs[2 * i + 1].length;
            final int slot = find(key, KeyHash.fnv1a(key), now);
            if (!large(bytes) && slot >= 0 && !large(size[slot]) && blockOf(size[slot]) == blockOf((int)bytes))
            {
                blocks[i] = IN_PLACE;
                continue;
            }
            final long a = bytes > MAX_RECORD ? AllocationPolicy.NO_MEMORY :
                allocateRecord(key.length, pairs[2 * i + 1].length);
            if (a == AllocationPolicy.NO_MEMORY)
            {
                blocks[i] = SUPERSEDED;
                cancelReserved(pairs, blocks);
                return null;
            }
            blocks[i] = a;
        }
        return blocks;
    }

    /** Phase two: writes the pairs {@link #reserve} found room for. MSET clears their expiry, as SET does. */
    void commitReserved(final byte[][] pairs, final long[] blocks, final long now)
    {
        for (int i = 0; i < blocks.length; i++)
        {
            if (blocks[i] == SUPERSEDED)
            {
                continue;
            }
            final byte[] key = pairs[2 * i];
            final byte[] value = pairs[2 * i + 1];
            final int h = KeyHash.fnv1a(key);
            final int bytes = 4 + key.length + value.length;
            final int slot = find(key, h, now);
            if (blocks[i] == IN_PLACE)
            {
                write(address[slot], key, 0, key.length, value, 0, value.length);
                size[slot] = bytes;
                setExpiry(slot, NO_EXPIRY);
            }
            else if (slot >= 0)
            {
                freeRecord(address[slot], keyLength[slot], size[slot]);
                write(blocks[i], key, 0, key.length, value, 0, value.length);
                address[slot] = blocks[i];
                size[slot] = bytes;
                setExpiry(slot, NO_EXPIRY);
            }
            else
            {
                write(blocks[i], key, 0, key.length, value, 0, value.length);
                insert(blocks[i], bytes, key.length, h, NO_EXPIRY);
            }
        }
    }

    /** Gives back the blocks {@link #reserve} took. */
    void cancelReserved(final byte[][] pairs, final long[] blocks)
    {
        for (int i = 0; i < blocks.length; i++)
        {
            if (blocks[i] != SUPERSEDED && blocks[i] != IN_PLACE)
            {
                freeRecord(blocks[i], pairs[2 * i].length, 4 + pairs[2 * i].length + pairs[2 * i + 1].length);
                blocks[i] = SUPERSEDED;
            }
        }
    }

    /** Deletes the key; true when it existed. */
    boolean delete(final byte[] key, final int h, final long now)
    {
        final int slot = find(key, h, now);
        if (slot < 0)
        {
            return false;
        }
        remove(slot);
        return true;
    }

    /**
     * What WATCH remembers of a key: a number that changes whenever the key is written, created, given an expiry
     * or removed (0 while it is absent). A key removed and made again gets a new one.
     */
    long token(final byte[] key, final long now)
    {
        final int slot = find(key, KeyHash.fnv1a(key), now);
        return slot < 0 ? 0 : version[slot];
    }

    /** Every write of a record ends here (SET, INCR, APPEND, MSET, EXPIRE...): it stamps the key's version. */
    void setExpiry(final int slot, final long at)
    {
        version[slot] = ++writes;
        if ((expireAt[slot] != NO_EXPIRY) != (at != NO_EXPIRY))
        {
            expiring += at != NO_EXPIRY ? 1 : -1;
        }
        expireAt[slot] = at;
    }

    /** A live key from a slot picked by {@code seed}, or null when the shard has none. */
    byte[] randomKey(final long seed, final long now)
    {
        size(now);
        if (count == 0)
        {
            return null;
        }
        final int start = (int)Math.floorMod(seed, (long)address.length);
        for (int k = 0; k < address.length; k++)
        {
            final int i = (start + k) & (address.length - 1);
            if (address[i] != EMPTY && address[i] != TOMBSTONE)
            {
                final byte[] key = new byte[keyLength[i]];
                os.readBytes(address[i] + 4, key, 0, key.length);
                return key;
            }
        }
        return null;
    }

    void countLookup(final boolean hit)
    {
        if (hit)
        {
            hits++;
        }
        else
        {
            misses++;
        }
    }

    /** Keys alive at {@code now}; removes the expired ones. */
    int size(final long now)
    {
        if (expiring > 0)
        {
            for (int i = 0; i < address.length; i++)
            {
                if (address[i] != EMPTY && address[i] != TOMBSTONE && expireAt[i] != NO_EXPIRY && expireAt[i] <= now)
                {
                    remove(i);
                }
            }
        }
        return count;
    }

    /** The live keys matching {@code pattern} ({@link Glob}); removes the expired ones it passes. */
    List<byte[]> keys(final byte[] pattern, final long now)
    {
        final List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < address.length; i++)
        {
            if (address[i] == EMPTY || address[i] == TOMBSTONE)
            {
                continue;
            }
            if (expireAt[i] != NO_EXPIRY && expireAt[i] <= now)
            {
                remove(i);
                continue;
            }
            final byte[] key = new byte[keyLength[i]];
            os.readBytes(address[i] + 4, key, 0, key.length);
            if (Glob.matches(pattern, key))
            {
                keys.add(key);
            }
        }
        return keys;
    }

    /** Frees every record. */
    void clear()
    {
        for (int i = 0; i < address.length; i++)
        {
            if (address[i] != EMPTY && address[i] != TOMBSTONE)
            {
                freeRecord(address[i], keyLength[i], size[i]);
            }
        }
        Arrays.fill(address, EMPTY);
        count = used = expiring = 0;
    }

    private static int blockOf(final int bytes)
    {
        return dev.shoal.libos.alloc.SizeClassAllocator.blockSize(bytes);
    }

    /** The largest record size counted in an int with room to spare; past it a write answers NO_MEMORY. */
    private static final long MAX_RECORD = Integer.MAX_VALUE - 64;

    /** A record of {@code bytes} ({@code 4 + key + value}) keeps its value in pieces. */
    private boolean large(final long bytes)
    {
        return bytes > memory.maxAllocation();
    }

    /** Pieces of a large record's value of {@code valueLen} bytes. */
    private int pieceCount(final int valueLen)
    {
        final int piece = memory.maxAllocation();
        return (int)((valueLen + (long)piece - 1) / piece);
    }

    /**
     * Takes the blocks of a record of {@code keyLen + valueLen}: one, or for a large record its head and every
     * piece, whose addresses go into the head. All or none.
     *
     * @return the record's (head's) address, or {@link AllocationPolicy#NO_MEMORY} (then nothing is held).
     */
    private long allocateRecord(final int keyLen, final int valueLen)
    {
        final long bytes = 4L + keyLen + valueLen;
        if (!large(bytes))
        {
            return memory.allocate((int)bytes);
        }
        final int n = pieceCount(valueLen);
        final long headBytes = 4L + keyLen + 8L * n;
        if (headBytes > memory.maxAllocation())
        {
            return AllocationPolicy.NO_MEMORY;
        }
        final long head = memory.allocate((int)headBytes);
        if (head == AllocationPolicy.NO_MEMORY)
        {
            return AllocationPolicy.NO_MEMORY;
        }
        final int piece = memory.maxAllocation();
        final byte[] s = scratch(8 * n);
        for (int i = 0; i < n; i++)
        {
            final int length = Math.min(piece, valueLen - i * piece);
            final long p = memory.allocate(length);
            if (p == AllocationPolicy.NO_MEMORY)
            {
                for (int j = 0; j < i; j++)
                {
                    memory.free(getLong(s, 8 * j), Math.min(piece, valueLen - j * piece));
                }
                memory.free(head, (int)headBytes);
                return AllocationPolicy.NO_MEMORY;
            }
            putLong(s, 8 * i, p);
        }
        os.writeBytes(head + 4 + keyLen, s, 0, 8 * n);
        return head;
    }

    /** Gives back the blocks of the record at {@code a} of {@code bytes} ({@code 4 + key + value}). */
    private void freeRecord(final long a, final int keyLen, final int bytes)
    {
        if (!large(bytes))
        {
            memory.free(a, bytes);
            return;
        }
        final int valueLen = bytes - 4 - keyLen;
        final long[] pieces = pieces(a, keyLen, valueLen);
        final int piece = memory.maxAllocation();
        for (int i = 0; i < pieces.length; i++)
        {
            memory.free(pieces[i], Math.min(piece, valueLen - i * piece));
        }
        memory.free(a, 4 + keyLen + 8 * pieces.length);
    }

    /** The piece addresses a large record's head holds. */
    private long[] pieces(final long head, final int keyLen, final int valueLen)
    {
        final int n = pieceCount(valueLen);
        final byte[] s = scratch(8 * n);
        os.readBytes(head + 4 + keyLen, s, 0, 8 * n);
        final long[] pieces = new long[n];
        for (int i = 0; i < n; i++)
        {
            pieces[i] = getLong(s, 8 * i);
        }
        return pieces;
    }

    private static long getLong(final byte[] b, final int at)
    {
        long v = 0;
        for (int i = 0; i < 8; i++)
        {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    private static void putLong(final byte[] b, final int at, final long v)
    {
        for (int i = 0; i < 8; i++)
        {
            b[at + i] = (byte)(v >>> (56 - 8 * i));
        }
    }

    private void write(final long a, final byte[] key, final int keyOffset, final int keyLen, final byte[] value,
        final int valueOffset, final int valueLen)
    {
        if (large(4L + keyLen + valueLen))
        {
            // The head's key; its piece addresses are in place since allocateRecord.
            final byte[] s = scratch(4 + keyLen);
            s[0] = (byte)(keyLen >>> 24);
            s[1] = (byte)(keyLen >>> 16);
            s[2] = (byte)(keyLen >>> 8);
            s[3] = (byte)keyLen;
            System.arraycopy(key, keyOffset, s, 4, keyLen);
            os.writeBytes(a, s, 0, 4 + keyLen);
            final long[] pieces = pieces(a, keyLen, valueLen);
            final int piece = memory.maxAllocation();
            for (int i = 0; i < pieces.length; i++)
            {
                os.writeBytes(pieces[i], value, valueOffset + i * piece, Math.min(piece, valueLen - i * piece));
            }
            return;
        }
        final int bytes = 4 + keyLen + valueLen;
        final byte[] s = scratch(bytes);
        s[0] = (byte)(keyLen >>> 24);
        s[1] = (byte)(keyLen >>> 16);
        s[2] = (byte)(keyLen >>> 8);
        s[3] = (byte)keyLen;
        System.arraycopy(key, keyOffset, s, 4, keyLen);
        System.arraycopy(value, valueOffset, s, 4 + keyLen, valueLen);
        os.writeBytes(a, s, 0, bytes);
    }

    private void remove(final int slot)
    {
        freeRecord(address[slot], keyLength[slot], size[slot]);
        setExpiry(slot, NO_EXPIRY);
        address[slot] = TOMBSTONE;
        count--;
    }

    private void insert(final long a, final int bytes, final int keyLen, final int h, final long expiry)
    {
        if ((used + 1) * 4L > address.length * 3L)
        {
            rehash(count * 4 >= address.length ? address.length * 2 : address.length);
        }
        final int mask = address.length - 1;
        int i = mix(h) & mask;
        while (address[i] != EMPTY && address[i] != TOMBSTONE)
        {
            i = (i + 1) & mask;
        }
        if (address[i] == EMPTY)
        {
            used++;
        }
        address[i] = a;
        size[i] = bytes;
        keyLength[i] = keyLen;
        hash[i] = h;
        expireAt[i] = NO_EXPIRY;
        count++;
        setExpiry(i, expiry);
    }

    private void rehash(final int capacity)
    {
        final long[] oldAddress = address;
        final int[] oldSize = size;
        final int[] oldKeyLength = keyLength;
        final int[] oldHash = hash;
        final long[] oldExpire = expireAt;
        final long[] oldVersion = version;
        address = new long[capacity];
        size = new int[capacity];
        keyLength = new int[capacity];
        hash = new int[capacity];
        expireAt = new long[capacity];
        version = new long[capacity];
        final int mask = capacity - 1;
        for (int j = 0; j < oldAddress.length; j++)
        {
            if (oldAddress[j] != EMPTY && oldAddress[j] != TOMBSTONE)
            {
                int i = mix(oldHash[j]) & mask;
                while (address[i] != EMPTY)
                {
                    i = (i + 1) & mask;
                }
                address[i] = oldAddress[j];
                size[i] = oldSize[j];
                keyLength[i] = oldKeyLength[j];
                hash[i] = oldHash[j];
                expireAt[i] = oldExpire[j];
                version[i] = oldVersion[j];
            }
        }
        used = count;
    }

    /** The shard was chosen by the hash modulo the shard count: mix the bits before using them again. */
    private static int mix(final int h)
    {
        final int x = h * 0x9E3779B9;
        return x ^ (x >>> 16);
    }

    /** The scratch array, for new contents: whatever record it held is forgotten. */
    private byte[] scratch(final int n)
    {
        scratchRecord = EMPTY;
        if (scratch.length < n)
        {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
        return scratch;
    }
}
