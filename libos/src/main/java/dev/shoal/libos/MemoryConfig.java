package dev.shoal.libos;

import dev.shoal.kernel.caps.CSpace;
import dev.shoal.kernel.caps.CapType;

/**
 * How each core's {@link MemoryServer} equips a dispatcher: how much RAM it gets and the shape of its CSpace. The
 * RAM comes from the core's init RAM ({@link dev.shoal.kernel.Core#INIT_RAM_BYTES}); physical memory is backed only
 * when touched, so a generous figure costs nothing until used.
 *
 * @param dispatcherRamBytes RAM each dispatcher gets unless it asks otherwise ({@link Os#initMemory(long)}).
 * @param rootBits           root bits of each dispatcher's CSpace (how many leaf CNodes it can attach).
 * @param leafBits           leaf bits of each dispatcher's CSpace (slots per leaf CNode).
 */
public record MemoryConfig(long dispatcherRamBytes, int rootBits, int leafBits)
{
    /** 16 MiB per dispatcher; CSpaces of up to 64 leaves of 256 slots. */
    public static final MemoryConfig DEFAULT = new MemoryConfig(16L << 20, 6, 8);

    public MemoryConfig
    {
        checkRam(dispatcherRamBytes);
        if (rootBits < 1 || leafBits < 2 || rootBits > CSpace.MAX_LEVEL_BITS || leafBits > CSpace.MAX_LEVEL_BITS ||
            rootBits + leafBits > CSpace.MAX_ADDRESS_BITS)
        {
            throw new IllegalArgumentException("CSpace of " + rootBits + " root bits and " + leafBits + " leaf bits: " +
                "each 1.." + CSpace.MAX_LEVEL_BITS + " (leaves at least 2), together at most " +
                CSpace.MAX_ADDRESS_BITS);
        }
    }

    /** This configuration with {@code bytes} of RAM per dispatcher. */
    public MemoryConfig withDispatcherRam(final long bytes)
    {
        return new MemoryConfig(bytes, rootBits, leafBits);
    }

    static void checkRam(final long bytes)
    {
        if (bytes < 2 * CapType.BASE_PAGE_SIZE || bytes % CapType.BASE_PAGE_SIZE != 0)
        {
            throw new IllegalArgumentException("a dispatcher's RAM must be a multiple of 4 KiB, at least two pages " +
                "(its root page table and one frame): " + bytes);
        }
    }
}
