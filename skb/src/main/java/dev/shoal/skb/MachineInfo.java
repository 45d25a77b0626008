package dev.shoal.skb;

/**
 * What a machine is, in one line of {@code shoal machines}: its name, a human description, and its size.
 * Immutable.
 *
 * @param name the name {@link Skb#open(String)} accepts, e.g. {@code amd-8x4}
 * @param description the hardware, e.g. {@code 8x4-core AMD Opteron 8350, 2.0 GHz}
 * @param cores number of cores, numbered 0..cores-1
 * @param packages number of packages (sockets), numbered 0..packages-1
 */
public record MachineInfo(String name, String description, int cores, int packages) {
}
