package dev.shoal.apps.kv;

/**
 * The one hash of keys, used both by the NIC's filter (which shard owns a key) and by each shard's index, so that
 * the NIC and the cores always agree on a key's owner: FNV-1a, 32 bits, over the key's bytes.
 */
public final class KeyHash
{
    private static final int OFFSET_BASIS = 0x811C9DC5;
    private static final int PRIME = 0x01000193;

    private KeyHash()
    {
    }

    public static int fnv1a(final byte[] key, final int offset, final int length)
    {
        int h = OFFSET_BASIS;
        for (int i = offset, end = offset + length; i < end; i++)
        {
            h = (h ^ (key[i] & 0xFF)) * PRIME;
        }
        return h;
    }

    public static int fnv1a(final byte[] key)
    {
        return fnv1a(key, 0, key.length);
    }

    /** The shard (core index within the appliance) that owns a key of hash {@code hash} among {@code shards}. */
    public static int shardOf(final int hash, final int shards)
    {
        return (hash & 0x7FFF_FFFF) % shards;
    }
}
