/**
 * The System Knowledge Base: machine descriptions as Prolog facts in an embedded Projog engine, and the rules
 * that answer questions about them (package hops, core-to-core URPC latency, package leaders, NUMA-aware
 * multicast trees).
 *
 * <p>Entry points: {@link dev.shoal.skb.Skb#open(String)} opens a machine by name ({@code amd-8x4}), generator
 * form ({@code numa:64x64}) or file path; {@link dev.shoal.skb.MachineCatalog#builtIns()} lists the built-in
 * machines.
 *
 * <p>Threading: an {@link dev.shoal.skb.Skb} wraps a single-threaded Prolog engine and belongs to one caller.
 * {@link dev.shoal.skb.Topology}, {@link dev.shoal.skb.RoutingTree} and {@link dev.shoal.skb.MachineInfo} are
 * immutable and may be shared between cores freely.
 */
package dev.shoal.skb;
