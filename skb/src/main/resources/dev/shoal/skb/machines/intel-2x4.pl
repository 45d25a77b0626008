% Intel 2x4: two Intel Xeon X5355 packages (Clovertown) of four cores at 2.66 GHz, the Intel machine of
% the Multikernel paper (SOSP 2009). Each package holds two dies; the two cores of a die share a 4 MB L2.
% Packages talk over the front-side bus through the chipset, modelled as one interconnect link.
% URPC one-way latency: 180 cycles between cores sharing an L2, 570 between any other two cores
% (within or across packages). Same-core LRPC: 845 cycles.

machine('intel-2x4', '2x4-core Intel Xeon X5355, 2.66 GHz', 2660).

% Cores are numbered package-major: package p holds cores 4p .. 4p+3.
package(0). package(1).
core(0, 0). core(1, 0). core(2, 0). core(3, 0).
core(4, 1). core(5, 1). core(6, 1). core(7, 1).

% One NUMA node per package. The real machine has one memory controller behind the front-side bus;
% a node per package keeps every built-in machine the same shape.
numa_node(0, 0). numa_node(1, 0). numa_node(2, 0). numa_node(3, 0).
numa_node(4, 1). numa_node(5, 1). numa_node(6, 1). numa_node(7, 1).

% The two cores of each die share an L2: groups 0..3 are the four dies.
shared_cache(0, 0). shared_cache(1, 0). shared_cache(2, 1). shared_cache(3, 1).
shared_cache(4, 2). shared_cache(5, 2). shared_cache(6, 3). shared_cache(7, 3).

% The front-side bus.
interconnect(0, 1).

urpc_latency(shared_cache, 180).
urpc_latency(same_package, 570).
urpc_latency(hops(1), 570).

lrpc_cycles(845).

% line_transfer(Class, Cycles): one 64-byte cache line moved from one core's cache to another's (a coherence
% transaction: a writer invalidating the reader's copy, or a reader fetching the written line). A UMP message
% is two of them (the sender's write, the receiver's poll miss); the cost model adds the software around them.
% Between the two cores of a die the line moves through their shared L2 (Intel's optimisation manual gives a
% 14-cycle L2 hit for this core; a line modified in the other core's L1 costs several times that: we take
% 60 cycles, about 23 ns). Between dies, within a package or not, it crosses the front-side bus through the
% chipset's snoop (about 96 ns, 255 cycles: the same order as this platform's memory latency).
% Calibration, said openly: these figures were set to half of what Table 2's latency leaves after the cost
% model's 60 cycles of UMP software. Every other figure is predicted, not fitted.
% Sources (docs/cost-model.md, "The calibrated transfers against published measurements"):
% shared_cache 60: a 14-cycle L2 hit measured (CPU-Z) on a Core 2 Extreme QX6850, the same two-die 65 nm
%   quad-core design (review of the QX9650, en.thethirdmedia.com, 2007-10): a lower bound, not the same quantity.
% same_package, hops(1) 255 (96 ns): no published front-side-bus transfer or memory latency for this platform
%   was found; unchecked.
line_transfer(shared_cache, 60).
line_transfer(same_package, 255).
line_transfer(hops(1), 255).

% No dram_bandwidth/1: this machine's one memory controller sits in the chipset behind the front-side bus,
% shared by both packages, while the SKB gives it a node per package; a resource per node would halve its
% contention. Its homes have no memory-controller occupancy (docs/cost-model.md, "A home-wide resource").

% bus_bandwidth(MBps): each package's front-side bus, in 10^6 bytes a second. The two dies of a package reach each
% other and the chipset only over it ("both dies communicate with one another and the system via, and only via, a
% shared FSB": hexus.net, "Intel Xeon 5300-series", 2006), and it moves one line at a time: a line between dies of
% one package crosses it once, a line between packages crosses the owner's bus and then the requester's; a line
% within a shared L2 crosses none (docs/cost-model.md, "The interconnect"). Only the 64-byte data phase is priced:
% the bus carries addresses and snoops on lines of their own.
% Source: the X5355 runs a 1333 MT/s bus (tecChannel, "IDF: Quad-Core Xeon 5300 Clovertown im November", 2006,
%   from an Intel presentation). The paper does not name the chipset: the machine is taken to be the Bensley
%   platform the part launched on, whose 5000-series chipsets give each processor its own bus ("dual independent
%   front side busses (DIB), one for each processor": Tom's Hardware, "The Server Primer, Part 1"), the two at
%   1333 MHz giving "up to 21 GB/s" (hardware.info, "Intel quad-core Xeon 5300 review", p. 3): 10,667 MB/s a bus,
%   1333.3 MT/s x 8 bytes. A line: 64 x 2660 / 10667 = 15.96, rounded up to 16 cycles.
bus_bandwidth(10667).

% memory_region(Node, Base, Bytes). The paper does not give memory sizes: these are illustrative.
memory_region(0, 0, 2147483648).
memory_region(1, 2147483648, 2147483648).
