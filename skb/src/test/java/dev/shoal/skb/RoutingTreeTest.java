package dev.shoal.skb;

import static dev.shoal.skb.RoutingTree.NOT_A_MEMBER;
import static dev.shoal.skb.RoutingTree.NO_PARENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class RoutingTreeTest {

    @Test
    void shouldAnswerParentsChildrenDepthAndMembers() {
        // 2 -> 0 -> 3 -> 4; core 1 is not in the tree
        RoutingTree chain = new RoutingTree(2,
                List.of(2, NOT_A_MEMBER, NO_PARENT, 0, 3),
                List.of(List.of(3), List.of(), List.of(0), List.of(4), List.of()));
        assertEquals(NO_PARENT, chain.parent(2));
        assertEquals(3, chain.parent(4));
        assertEquals(NOT_A_MEMBER, chain.parent(1));
        assertEquals(NOT_A_MEMBER, chain.parent(99));
        assertFalse(chain.contains(1));
        assertEquals(List.of(0, 2, 3, 4), chain.members());
        assertEquals(4, chain.size());
        assertEquals(3, chain.depth());
    }

    @Test
    void shouldCopyTheListsItIsGiven() {
        List<Integer> parents = new ArrayList<>(List.of(NO_PARENT, 0));
        List<Integer> rootChildren = new ArrayList<>(List.of(1));
        RoutingTree tree = new RoutingTree(0, parents, List.of(rootChildren, List.of()));
        parents.set(1, NOT_A_MEMBER);
        rootChildren.clear();
        assertEquals(List.of(1), tree.children(0));
        assertEquals(0, tree.parent(1));
        assertThrows(UnsupportedOperationException.class, () -> tree.children(0).add(5));
    }

    @Test
    void shouldRejectAChildListedUnderTheWrongParent() {
        assertThrows(IllegalArgumentException.class, () -> new RoutingTree(0,
                List.of(NO_PARENT, 0, 1), List.of(List.of(1, 2), List.of(), List.of())));
    }

    @Test
    void shouldRejectAMemberMissingFromItsParentsChildren() {
        assertThrows(IllegalArgumentException.class, () -> new RoutingTree(0,
                List.of(NO_PARENT, 0), List.of(List.of(), List.of())));
    }

    @Test
    void shouldRejectACycleDetachedFromTheRoot() {
        assertThrows(IllegalArgumentException.class, () -> new RoutingTree(0,
                List.of(NO_PARENT, 2, 1), List.of(List.of(), List.of(2), List.of(1))));
    }

    @Test
    void shouldRejectARootWithAParent() {
        assertThrows(IllegalArgumentException.class, () -> new RoutingTree(1,
                List.of(NO_PARENT, 0), List.of(List.of(1), List.of())));
    }

    @Test
    void shouldCompareByContent() {
        RoutingTree a = new RoutingTree(0, List.of(NO_PARENT, 0), List.of(List.of(1), List.of()));
        RoutingTree b = new RoutingTree(0, List.of(NO_PARENT, 0), List.of(List.of(1), List.of()));
        assertEquals(a, b);
        assertTrue(a.toString().contains("root=0"));
    }
}
