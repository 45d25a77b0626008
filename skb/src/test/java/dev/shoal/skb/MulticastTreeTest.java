package dev.shoal.skb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MulticastTreeTest {

    @ParameterizedTest(name = "{0} root {1} over {2} cores")
    @CsvSource({
        "intel-2x4, 0, 8",
        "intel-2x4, 5, 8",
        "amd-2x2, 3, 4",
        "amd-4x4, 0, 16",
        "amd-4x4, 9, 16",
        "amd-8x4, 0, 32",
        "amd-8x4, 13, 32",
        "amd-8x4, 5, 10",
        "amd-8x4, 0, 1",
        "amd-8x4, 2, 3",
        "numa:16x4, 27, 64",
    })
    void shouldBuildANumaAwareTreeOverTheParticipatingCores(String machine, int root, int coreCount) {
        Skb skb = Skb.open(machine);
        RoutingTree tree = skb.multicastTree(root, coreCount);

        assertEquals(root, tree.root());
        assertEquals(RoutingTree.NO_PARENT, tree.parent(root));
        assertEquals(IntStream.range(0, coreCount).boxed().toList(), tree.members(), "every participating core exactly once");
        assertEquals(coreCount, tree.size());
        assertOneLeaderPerOtherPackage(skb, tree, coreCount);
        assertLeadersFanOutWithinTheirPackage(skb, tree);
        assertChildrenFarthestFirst(skb, tree);
    }

    @Test
    void shouldSendAcrossTheSquareDiagonalFirst() {
        RoutingTree tree = Skb.open("amd-4x4").multicastTree(0, 16);
        assertEquals(List.of(8, 4, 12, 1, 2, 3), tree.children(0), "two hops, one hop (by id), then the own die");
        assertEquals(List.of(5, 6, 7), tree.children(4));
        assertEquals(List.of(), tree.children(5));
        assertEquals(2, tree.depth());
    }

    @Test
    void shouldLetTheLowestParticipatingCoreLeadAPartlyParticipatingPackage() {
        // Packages 0, 1, 2 and cores 12, 13 of package 3; from package 0, packages 2 and 3 are two hops away.
        RoutingTree tree = Skb.open("amd-8x4").multicastTree(1, 14);
        assertEquals(List.of(8, 12, 4, 0, 2, 3), tree.children(1), "two-hop leaders, the one-hop leader, the own die");
        assertEquals(List.of(13), tree.children(12));
        assertEquals(List.of(5, 6, 7), tree.children(4));
    }

    @Test
    void shouldBeALoneRootForOneCore() {
        RoutingTree tree = Skb.open("amd-2x2").multicastTree(0, 1);
        assertEquals(List.of(0), tree.members());
        assertEquals(0, tree.depth());
        assertEquals(List.of(), tree.children(0));
    }

    @Test
    void shouldReachEveryCoreOfALargeMachineInTwoSteps() {
        RoutingTree tree = Skb.open("numa:128x8").multicastTree(60, 64);
        assertEquals(64, tree.size());
        assertEquals(2, tree.depth());
        assertEquals(7 + 7, tree.children(60).size(), "7 other cores of package 7, leaders of packages 0..6");
    }

    @Test
    void shouldRejectARootOutsideTheParticipatingCores() {
        Skb skb = Skb.open("amd-2x2");
        assertThrows(IllegalArgumentException.class, () -> skb.multicastTree(3, 2));
        assertThrows(IllegalArgumentException.class, () -> skb.multicastTree(0, 0));
        assertThrows(IllegalArgumentException.class, () -> skb.multicastTree(0, 5));
    }

    private static void assertOneLeaderPerOtherPackage(Skb skb, RoutingTree tree, int coreCount) {
        int rootPackage = skb.packageOf(tree.root());
        TreeMap<Integer, Integer> expectedLeaders = new TreeMap<>();
        for (int core = coreCount - 1; core >= 0; core--) {
            if (skb.packageOf(core) != rootPackage) {
                expectedLeaders.put(skb.packageOf(core), core); // descending, so the lowest core wins
            }
        }
        List<Integer> remoteChildren = new ArrayList<>();
        for (int child : tree.children(tree.root())) {
            if (skb.packageOf(child) != rootPackage) {
                remoteChildren.add(child);
            }
        }
        assertEquals(new HashSet<>(expectedLeaders.values()), new HashSet<>(remoteChildren),
                "the root sends to the lowest participating core of each other package");
        assertEquals(expectedLeaders.size(), remoteChildren.size(), "one leader per package");
    }

    private static void assertLeadersFanOutWithinTheirPackage(Skb skb, RoutingTree tree) {
        Set<Integer> leaders = new HashSet<>();
        for (int core : tree.members()) {
            if (core == tree.root()) {
                continue;
            }
            for (int child : tree.children(core)) {
                assertEquals(skb.packageOf(core), skb.packageOf(child), "core " + core + " forwards outside its package");
                leaders.add(core);
            }
            if (!tree.children(core).isEmpty()) {
                assertEquals(tree.root(), tree.parent(core), "only leaders, children of the root, forward");
            }
        }
        assertTrue(tree.depth() <= 2, "depth " + tree.depth());
    }

    private static void assertChildrenFarthestFirst(Skb skb, RoutingTree tree) {
        for (int core : tree.members()) {
            List<Integer> children = tree.children(core);
            for (int i = 1; i < children.size(); i++) {
                long before = skb.latency(core, children.get(i - 1));
                long after = skb.latency(core, children.get(i));
                assertTrue(before >= after, "children of " + core + " not farthest first: " + children);
            }
        }
    }
}
