% SKB rules, consulted after every machine description (see MachineLoader for the facts they read).
% A description may not define any predicate defined here.

% package_hops(A, B, H): the fewest interconnect links between packages A and B (0 for A = B).
package_hops(A, B, H) :- package(A), package(B), hops_between(A, B, H).

hops_between(A, B, H) :- A == B, !, H = 0.
% A generated torus answers by arithmetic: a search per pair would make 128 packages take seconds.
hops_between(A, B, H) :- torus(W, Ht), !, torus_hops(W, Ht, A, B, H).
hops_between(A, B, H) :- bfs_hops([A], [A], B, 1, H).

% Packages are numbered row-major on a W x Ht torus: package P sits at (P mod W, P // W).
torus_hops(W, Ht, A, B, H) :-
    DX is abs(A mod W - B mod W), DY is abs(A // W - B // W),
    H is min(DX, W - DX) + min(DY, Ht - DY).

% Breadth-first search: Frontier holds the packages D - 1 links from the start.
bfs_hops(Frontier, Seen, Target, D, H) :-
    findall(N, (member(F, Frontier), linked(F, N), \+ memberchk(N, Seen)), Found),
    sort(Found, Next),
    Next \== [],
    (   memberchk(Target, Next)
    ->  H = D
    ;   append(Seen, Next, Seen1), D1 is D + 1, bfs_hops(Next, Seen1, Target, D1, H)
    ).

% interconnect/2 facts are written once per link; links carry traffic both ways.
linked(A, B) :- interconnect(A, B).
linked(A, B) :- interconnect(B, A).

% core_latency(C1, C2, Cycles): one-way URPC latency between two cores, by the closest class that applies.
core_latency(A, B, L) :- core(A, PA), core(B, PB), latency_between(A, PA, B, PB, L).

% Each clause cuts once its class applies, so that a bound L cannot fall through to a farther class.
latency_between(A, _, B, _, L) :- A == B, !, L = 0.
latency_between(A, _, B, _, L) :- shared_cache(A, G), shared_cache(B, G), !, urpc_latency(shared_cache, L).
latency_between(_, PA, _, PB, L) :- PA == PB, !, urpc_latency(same_package, L).
latency_between(_, PA, _, PB, L) :- package_hops(PA, PB, H), urpc_latency(hops(H), L).

% package_leader(P, Core): the lowest-numbered core of package P.
package_leader(P, Core) :- package(P), findall(C, core(C, P), Cs), min_list(Cs, Core).

% participating_leader(N, P, Core): the lowest-numbered core of package P among cores 0..N-1.
participating_leader(N, P, Core) :-
    package(P), findall(C, (core(C, P), C < N), Cs), Cs \== [], min_list(Cs, Core).

% multicast_children(Root, N, Parent, Children): the NUMA-aware multicast tree over cores 0..N-1.
% The root sends to the rest of its own package and to one leader per other package; each leader
% forwards to the rest of its package, so every cross-package link is crossed once. Children come
% in send order: farthest first (the slowest messages start earliest), ties by core id.
multicast_children(Root, N, Root, Children) :-
    core(Root, RP),
    findall(C, (core(C, RP), C < N, C =\= Root), Local),
    findall(L, (participating_leader(N, P, L), P =\= RP), Leaders),
    append(Local, Leaders, Targets),
    farthest_first(Root, Targets, Children).
multicast_children(Root, N, Leader, Children) :-
    core(Root, RP),
    participating_leader(N, P, Leader),
    P =\= RP,
    findall(C, (core(C, P), C < N, C =\= Leader), Local),
    farthest_first(Leader, Local, Children).

% Keys are negated latencies so that the standard order of K-C pairs is farthest first, then by core id.
farthest_first(From, Cores, Sorted) :-
    findall(K-C, (member(C, Cores), core_latency(From, C, Lat), K is -Lat), Keyed),
    msort(Keyed, Ordered),
    pairs_values(Ordered, Sorted).

core_count(N) :- findall(C, core(C, _), Cs), length(Cs, N).
package_count(N) :- findall(P, package(P), Ps), length(Ps, N).
