package dev.shoal.skb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SkbQueryTest {

    private static Skb amd;

    @BeforeAll
    static void open() {
        amd = Skb.open("amd-8x4");
    }

    @Test
    void shouldReturnEveryBindingOfTheVariable() {
        assertEquals(List.of("4", "5", "6", "7"), amd.query("core(C, 1)", "C"));
        assertEquals(List.of("8", "12", "20", "24"), amd.query("core_latency(0, C, 618), package_leader(_, C).", "C"));
    }

    @Test
    void shouldAnswerTheRulesDirectly() {
        assertEquals(List.of("28"), amd.query("package_leader(7, L)", "L"));
        assertEquals(List.of("2"), amd.query("package_hops(0, 2, H)", "H"));
        assertEquals(List.of("hops(2)"), amd.query("urpc_latency(K, 618)", "K"));
    }

    @Test
    void shouldReturnNothingForAGoalThatFails() {
        assertEquals(List.of(), amd.query("core(C, 99)", "C"));
    }

    @Test
    void shouldRejectAVariableTheGoalDoesNotMention() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> amd.query("core(C, 1)", "X"));
        assertEquals("variable X does not occur in core(C, 1)", e.getMessage());
    }

    @Test
    void shouldRejectAGoalThatDoesNotParseInOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> amd.query("core(C, ", "C"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(true, e.getMessage().startsWith("query core(C, failed: "), e.getMessage());
    }
}
