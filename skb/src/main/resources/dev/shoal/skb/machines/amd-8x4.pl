% AMD 8x4: eight quad-core AMD Opteron 8350 packages (Barcelona) at 2.0 GHz, the largest machine of the
% Multikernel paper (SOSP 2009). The HyperTransport links form a twisted ladder (a Moebius ladder): package i
% is linked to i-1, i+1 and i+4 (mod 8), so no two packages are more than two hops apart. The four cores of a
% package share an L3; the paper reports one same-die figure, modelled as the same_package class.
% URPC one-way latency: 538 cycles on the same die, 613 one hop, 618 two hops. Same-core LRPC: 1549 cycles.

machine('amd-8x4', '8x4-core AMD Opteron 8350, 2.0 GHz', 2000).

% Cores are numbered package-major: package p holds cores 4p .. 4p+3.
package(0). package(1). package(2). package(3). package(4). package(5). package(6). package(7).
core(0, 0). core(1, 0). core(2, 0). core(3, 0).
core(4, 1). core(5, 1). core(6, 1). core(7, 1).
core(8, 2). core(9, 2). core(10, 2). core(11, 2).
core(12, 3). core(13, 3). core(14, 3). core(15, 3).
core(16, 4). core(17, 4). core(18, 4). core(19, 4).
core(20, 5). core(21, 5). core(22, 5). core(23, 5).
core(24, 6). core(25, 6). core(26, 6). core(27, 6).
core(28, 7). core(29, 7). core(30, 7). core(31, 7).

% One NUMA node per package.
numa_node(0, 0). numa_node(1, 0). numa_node(2, 0). numa_node(3, 0).
numa_node(4, 1). numa_node(5, 1). numa_node(6, 1). numa_node(7, 1).
numa_node(8, 2). numa_node(9, 2). numa_node(10, 2). numa_node(11, 2).
numa_node(12, 3). numa_node(13, 3). numa_node(14, 3). numa_node(15, 3).
numa_node(16, 4). numa_node(17, 4). numa_node(18, 4). numa_node(19, 4).
numa_node(20, 5). numa_node(21, 5). numa_node(22, 5). numa_node(23, 5).
numa_node(24, 6). numa_node(25, 6). numa_node(26, 6). numa_node(27, 6).
numa_node(28, 7). numa_node(29, 7). numa_node(30, 7). numa_node(31, 7).

% The ring 0-1-...-7-0 plus the four rungs i-(i+4).
interconnect(0, 1). interconnect(0, 4). interconnect(0, 7). interconnect(1, 2).
interconnect(1, 5). interconnect(2, 3). interconnect(2, 6). interconnect(3, 4).
interconnect(3, 7). interconnect(4, 5). interconnect(5, 6). interconnect(6, 7).

urpc_latency(same_package, 538).
urpc_latency(hops(1), 613).
urpc_latency(hops(2), 618).

lrpc_cycles(1549).

% line_transfer(Class, Cycles): one 64-byte cache line moved from one core's cache to another's (a coherence
% transaction). A UMP message is two (the sender's write, the receiver's poll miss). Without a probe filter a
% transaction broadcasts probes to all eight sockets and waits for the slowest answer, two hops away, so an
% on-die transfer costs about 120 ns (240 cycles), one hop about 137 ns (275), two hops about 140 ns (280).
% Calibration, said openly: set to half of what Table 2's latency leaves after the cost model's 60 cycles of
% UMP software. Every other figure is predicted, not fitted.
% Sources (docs/cost-model.md, "The calibrated transfers against published measurements"):
% same_package 240 (120 ns): McCalpin, "AMD Opteron Local Memory Latency Chart" (blog, 2010-10-01) gives
%   100 ns / 130 ns local memory latency for 4-socket family 10h rev B3 (Barcelona) systems and no 8-socket
%   figure: the model is 8 % below 130 ns, 20 % above 100 ns.
% hops(1) 275, hops(2) 280 (137.5, 140 ns): no published remote figure could be read; unchecked.
line_transfer(same_package, 240).
line_transfer(hops(1), 275).
line_transfer(hops(2), 280).

% dram_bandwidth(MBps): the peak bandwidth of one node's memory controller, in 10^6 bytes a second. Every
% coherence transaction that a line's home serves occupies it for one 64-byte line: 64 bytes x 2000 MHz / 10667 MB/s = 11.9996 cycles, rounded up to
% 12 cycles, so a home serves at most one transaction every 12 cycles (docs/cost-model.md, "A home-wide
% resource"). The home starts a DRAM read with every transaction, in parallel with its probe broadcast
% (McCalpin's latency chart, its notes: latency is the longer of the DRAM access and the snoop answers).
% Source: Socket F Opterons have one dual-channel (128-bit) DDR2 controller per package taking registered
%   DDR2 up to DDR2-667 (tecChannel, "AMD demonstriert Socket-F-Opteron", 2006; AMD's launch comparison for
%   Barcelona is against registered DDR2-667: hexus.net, "Watch out Intel, uprising Barcelona", 2007); its
%   theoretical peak is 10.6 GB/s (AnandTech, "The Secret Boost of the Opteron 2224", review 2294, of a
%   Socket F Opteron: "the theoretical peak bandwidth that DDR2 at 667MHz can deliver (10.6 GB/s)"), that is
%   666.67 MT/s x 16 bytes.
% The paper does not say which DIMMs its machine had: this is the fastest memory the part takes, so the least
% occupancy it allows (sustained bandwidth is below peak). Barcelona (family 10h rev B) is taken to take the
% same DDR2-667 as the rev F parts of Socket F; no data sheet of the part itself was read.
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
% Clock 1000 MHz: the Opteron 2350/8350's HyperTransport "wird mit 1 GHz getaktet" (elektroniknet.de,
%   "Erstmals echte Quadcore-Technik", 2007). 2 x 2 x 1000 = 4000 MB/s.
% At 2000 MHz: a probe 8 x 2000 / 4000 = 4 cycles; a response 2; a line 34.
link_bandwidth(4000).

% memory_region(Node, Base, Bytes). The paper does not give memory sizes: these are illustrative.
memory_region(0, 0, 2147483648).
memory_region(1, 2147483648, 2147483648).
memory_region(2, 4294967296, 2147483648).
memory_region(3, 6442450944, 2147483648).
memory_region(4, 8589934592, 2147483648).
memory_region(5, 10737418240, 2147483648).
memory_region(6, 12884901888, 2147483648).
memory_region(7, 15032385536, 2147483648).
