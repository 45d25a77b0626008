% AMD 4x4: four quad-core AMD Opteron 8380 packages (Shanghai) at 2.5 GHz, joined in a square by
% HyperTransport, from the Multikernel paper (SOSP 2009). The four cores of a package share an L3, but the
% paper reports one same-die figure, so the SKB models it as the same_package class.
% URPC one-way latency: 448 cycles on the same die, 545 one hop, 558 two hops (across the diagonal).
% Same-core LRPC: 1463 cycles.

machine('amd-4x4', '4x4-core AMD Opteron 8380, 2.5 GHz', 2500).

% Cores are numbered package-major: package p holds cores 4p .. 4p+3.
package(0). package(1). package(2). package(3).
core(0, 0). core(1, 0). core(2, 0). core(3, 0).
core(4, 1). core(5, 1). core(6, 1). core(7, 1).
core(8, 2). core(9, 2). core(10, 2). core(11, 2).
core(12, 3). core(13, 3). core(14, 3). core(15, 3).

% One NUMA node per package.
numa_node(0, 0). numa_node(1, 0). numa_node(2, 0). numa_node(3, 0).
numa_node(4, 1). numa_node(5, 1). numa_node(6, 1). numa_node(7, 1).
numa_node(8, 2). numa_node(9, 2). numa_node(10, 2). numa_node(11, 2).
numa_node(12, 3). numa_node(13, 3). numa_node(14, 3). numa_node(15, 3).

% A square 0-1-2-3-0: packages 0 and 2, and 1 and 3, are two hops apart.
interconnect(0, 1). interconnect(1, 2). interconnect(2, 3). interconnect(3, 0).

urpc_latency(same_package, 448).
urpc_latency(hops(1), 545).
urpc_latency(hops(2), 558).

lrpc_cycles(1463).

% line_transfer(Class, Cycles): one 64-byte cache line moved from one core's cache to another's (a coherence
% transaction). A UMP message is two (the sender's write, the receiver's poll miss). Without a probe filter a
% transaction broadcasts probes to all four sockets and waits for the slowest answer, so even an on-die
% transfer pays the trip across the square (about 78 ns, 195 cycles); one hop about 98 ns (245), two hops
% about 100 ns (250): the probes already crossed two hops either way.
% Calibration, said openly: set to half of what Table 2's latency leaves after the cost model's 60 cycles of
% UMP software. Every other figure is predicted, not fitted.
% Sources (docs/cost-model.md, "The calibrated transfers against published measurements"):
% same_package 195 (78 ns): McCalpin, "AMD Opteron Local Memory Latency Chart" (blog, 2010-10-01) gives 74 ns
%   local memory latency for 2-socket family 10h rev C2 (Shanghai) systems and no 4-socket figure: the model
%   is 5 % above the 2-socket one. Hackenberg et al. (MICRO 2009) measured a 2-socket Shanghai, but their
%   figures could not be read here.
% hops(1) 245, hops(2) 250 (98, 100 ns): no published remote figure was found; unchecked.
line_transfer(same_package, 195).
line_transfer(hops(1), 245).
line_transfer(hops(2), 250).

% dram_bandwidth(MBps): the peak bandwidth of one node's memory controller, in 10^6 bytes a second. Every
% coherence transaction that a line's home serves occupies it for one 64-byte line: 64 bytes x 2500 MHz / 12800 MB/s = 12.5 cycles, rounded up to
% 13 cycles, so a home serves at most one transaction every 13 cycles (docs/cost-model.md, "A home-wide
% resource"). The home starts a DRAM read with every transaction, in parallel with its probe broadcast
% (McCalpin's latency chart, its notes: latency is the longer of the DRAM access and the snoop answers).
% Source: HP, "The AMD processor roadmap for industry-standard servers", technology brief, 6th edition, which
%   covers the 45 nm quad- and six-core Socket F Opterons: each package's integrated dual-channel, 128-bit
%   DDR2 controller gives "up to 12.8 GB/s" with DDR2-800 (800 MT/s x 16 bytes).
% The paper does not say which DIMMs its machine had: this is the fastest memory the part takes, so the least
% occupancy it allows (sustained bandwidth is below peak).
dram_bandwidth(12800).

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
% Clock 1000 MHz, taken from the Socket F parts before it: for the 45 nm "Shanghai" Opterons "there are no
%   changes to the HyperTransport interface in store; ... the series 2000 and 8000 Opterons will initially
%   continue to work with HyperTransport 1.1" (heise/h-online, "AMD: 45 nm Opterons to function on current server
%   boards", 2008); HT 3.0 came with later chipsets. No data sheet of the 8380 was read. 2 x 2 x 1000 = 4000 MB/s.
% At 2500 MHz: a probe 8 x 2500 / 4000 = 5 cycles; a response 3 (2.5); a line 43 (42.5).
link_bandwidth(4000).

% memory_region(Node, Base, Bytes). The paper does not give memory sizes: these are illustrative.
memory_region(0, 0, 4294967296).
memory_region(1, 4294967296, 4294967296).
memory_region(2, 8589934592, 4294967296).
memory_region(3, 12884901888, 4294967296).
