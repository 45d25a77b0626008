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

% memory_region(Node, Base, Bytes). The paper does not give memory sizes: these are illustrative.
memory_region(0, 0, 2147483648).
memory_region(1, 2147483648, 2147483648).
