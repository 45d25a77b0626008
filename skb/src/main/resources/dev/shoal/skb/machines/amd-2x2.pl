% AMD 2x2: two dual-core AMD Opteron 2220 packages at 2.8 GHz, the smallest AMD machine of the Multikernel
% paper (SOSP 2009). Each core has a private 1 MB L2; each package has its own memory controller; the two
% packages are joined by HyperTransport.
% URPC one-way latency: 450 cycles on the same die, 532 one hop away. Same-core LRPC: 757 cycles.

machine('amd-2x2', '2x2-core AMD Opteron 2220, 2.8 GHz', 2800).

% Cores are numbered package-major: package p holds cores 2p .. 2p+1.
package(0). package(1).
core(0, 0). core(1, 0).
core(2, 1). core(3, 1).

% One NUMA node per package.
numa_node(0, 0). numa_node(1, 0).
numa_node(2, 1). numa_node(3, 1).

% HyperTransport.
interconnect(0, 1).

urpc_latency(same_package, 450).
urpc_latency(hops(1), 532).

lrpc_cycles(757).

% line_transfer(Class, Cycles): one 64-byte cache line moved from one core's cache to another's (a coherence
% transaction). A UMP message is two (the sender's write, the receiver's poll miss). These Opterons have no
% probe filter: every transaction broadcasts probes to both sockets and waits for the slowest answer (and the
% home's memory response), so an on-die transfer costs close to a local memory access (about 70 ns, 195
% cycles) and one across HyperTransport a hop more (about 84 ns, 235 cycles).
% Calibration, said openly: set to half of what Table 2's latency leaves after the cost model's 60 cycles of
% UMP software. Every other figure is predicted, not fitted.
% Sources (docs/cost-model.md, "The calibrated transfers against published measurements"):
% same_package 195 (69.6 ns): McCalpin, "AMD Opteron Local Memory Latency Chart" (blog, 2010-10-01) gives 60 ns
%   local memory latency for 2-socket K8 rev E/F systems: the model is 16 % above it.
% hops(1) 235 (83.9 ns): no published remote figure for this family was found; unchecked.
line_transfer(same_package, 195).
line_transfer(hops(1), 235).

% dram_bandwidth(MBps): the peak bandwidth of one node's memory controller, in 10^6 bytes a second. Every
% coherence transaction that a line's home serves occupies it for one 64-byte line: 64 bytes x 2800 MHz / 10667 MB/s = 16.8 cycles, rounded up to
% 17 cycles, so a home serves at most one transaction every 17 cycles (docs/cost-model.md, "A home-wide
% resource"). The home starts a DRAM read with every transaction, in parallel with its probe broadcast
% (McCalpin's latency chart, its notes: latency is the longer of the DRAM access and the snoop answers).
% Source: Socket F Opterons have one dual-channel (128-bit) DDR2 controller per package taking registered
%   DDR2 up to DDR2-667 (tecChannel, "AMD demonstriert Socket-F-Opteron", 2006; AMD's launch comparison for
%   Barcelona is against registered DDR2-667: hexus.net, "Watch out Intel, uprising Barcelona", 2007); its
%   theoretical peak is 10.6 GB/s (AnandTech, "The Secret Boost of the Opteron 2224", review 2294, of a
%   Socket F Opteron: "the theoretical peak bandwidth that DDR2 at 667MHz can deliver (10.6 GB/s)"), that is
%   666.67 MT/s x 16 bytes.
% The paper does not say which DIMMs its machine had: this is the fastest memory the part takes, so the least
% occupancy it allows (sustained bandwidth is below peak).
dram_bandwidth(10667).

% link_bandwidth(MBps): one direction of one HyperTransport link, in 10^6 bytes a second. The home of a line
% sends, with every coherence transaction it serves, a probe to every other package (these parts have no probe
% filter) and answers once every response is back; each packet occupies the link it crosses at this bandwidth, one
% packet at a time, so concurrent transactions queue on every link they share (docs/cost-model.md, "The
% interconnect"); the requester's unblock goes back to the home, which holds the line until it is in.
% Packets, from the HyperTransport specification (MindShare, "HyperTransport System Architecture", ch. 4: packets
% are multiples of 4 bytes, control packets 4 or 8, data packets at most 64): a probe 8 bytes (a request with an
% address), a response 4, a line 4 + 64. Coherent HyperTransport's own formats are unpublished.
% Link: 16 bits each way (Tom's Hardware, "AMD's Opteron 250 vs. Intel's Xeon", 2005: "Every HyperTransport
%   channel ... works with 16 bits"; FiringSquad's Opteron review: "The HT links within the Opteron are 16-bits
%   wide"), two bit times per clock (MindShare, ch. 4), so 2 bytes x 2 x ClockMHz a second each way.
% Clock 1000 MHz: the 90 nm Opterons raised the link clock from 800 MHz to 1 GHz (cpu-world, "AMD Opteron"
%   family page); the rev F Opteron 2220 is one of them. 2 x 2 x 1000 = 4000 MB/s.
% At 2800 MHz: a probe 8 x 2800 / 4000 = 5.6, rounded up to 6 cycles; a response 3 (2.8); a line 48 (47.6).
link_bandwidth(4000).


% memory_region(Node, Base, Bytes). The paper does not give memory sizes: these are illustrative.
memory_region(0, 0, 2147483648).
memory_region(1, 2147483648, 2147483648).
