package dev.shoal.skb;

import org.projog.core.parser.Operands;

/**
 * Bounds how deep a clause's term can be and how many tokens it has, from its tokens alone, before Projog sees
 * it.
 *
 * <p>Projog's parser and term code recurse once per nesting level, so a few thousand nested brackets or
 * operators overflow the stack (and deeply nested brackets also take seconds, as the parser backtracks). This
 * guard is fed the tokens the {@link PrologSource} splitter finds and keeps an upper bound on the finished
 * term's depth in O(1) per token with no recursion: each bracket group counts the operators in it (an
 * argument list counts per argument, since its commas separate rather than nest), and a group's depth is at
 * most its operators + 1 + its deepest closed child. A list's commas count as operators because a list is a
 * chain of cells. Limits are far above any real machine description (see skb/README.md).
 *
 * <p>One guard per parse; not thread-safe.
 */
final class ClauseShapeGuard {

    /** Deepest term (brackets plus operators) a clause may have. */
    static final int MAX_TERM_DEPTH = 256;
    /** Most tokens one clause may have. */
    static final int MAX_CLAUSE_TOKENS = 100_000;

    private final String sourceName;
    private final Operands operands;

    // Per open group, index 0 being the clause itself: operators in the current argument, the most in any
    // earlier argument, the depth bound of the deepest closed child, and whether commas separate arguments.
    private final int[] opsInArgument = new int[MAX_TERM_DEPTH + 2];
    private final int[] mostOpsInAnArgument = new int[MAX_TERM_DEPTH + 2];
    private final int[] deepestChild = new int[MAX_TERM_DEPTH + 2];
    private final boolean[] argumentList = new boolean[MAX_TERM_DEPTH + 2];
    private int top;
    private int tokens;
    private boolean lastWasAtom;

    ClauseShapeGuard(String sourceName, Operands operands) {
        this.sourceName = sourceName;
        this.operands = operands;
    }

    /** Starts a new clause. */
    void startClause() {
        top = 0;
        reset(0, false);
        tokens = 0;
        lastWasAtom = false;
    }

    /** Layout or a comment: a following '(' no longer opens an argument list. */
    void layout() {
        lastWasAtom = false;
    }

    /** A name ({@code foo}, {@code X}, {@code 42}) at {@code line}. */
    void name(String name, int line) {
        count(line);
        if (operands.isDefined(name)) {
            operator(line);
        }
        lastWasAtom = true;
    }

    /** A run of symbol characters ({@code :-}, {@code +}, {@code =..}): counted as an operator. */
    void symbols(int line) {
        count(line);
        operator(line);
        lastWasAtom = true;
    }

    /**
     * Quoted text; a single-quoted atom may be followed by an argument list, and one that names an operator
     * ({@code '-'}) acts as one. {@code content} is the text between the quotes, escapes unprocessed; one with
     * an escape might spell an operator, so it counts as one.
     */
    void quoted(boolean atom, String content, int line) {
        count(line);
        if (atom && (content.indexOf('\\') >= 0 || operands.isDefined(content))) {
            operator(line);
        }
        lastWasAtom = atom;
    }

    /** Any other single-character token, such as {@code |} or {@code !}; {@code |} is an operator. */
    void punctuation(char c, int line) {
        count(line);
        if (c == '|') {
            operator(line);
        }
        lastWasAtom = false;
    }

    void comma(int line) {
        count(line);
        if (argumentList[top]) {
            mostOpsInAnArgument[top] = Math.max(mostOpsInAnArgument[top], opsInArgument[top]);
            opsInArgument[top] = 0;
        } else {
            operator(line);
        }
        lastWasAtom = false;
    }

    void open(char bracket, int line) {
        count(line);
        if (top + 1 > MAX_TERM_DEPTH) {
            throw tooDeep(line, "brackets nested more than " + MAX_TERM_DEPTH + " deep");
        }
        top++;
        reset(top, bracket == '(' && lastWasAtom);
        lastWasAtom = false;
    }

    /** A closing bracket; an unmatched one is left for the parser to report. */
    void close(int line) {
        count(line);
        if (top > 0) {
            closeGroup(line);
        }
        lastWasAtom = false;
    }

    /** The clause ended at {@code line}; unclosed groups are folded in so the bound still holds. */
    void endClause(int line) {
        while (top > 0) {
            closeGroup(line);
        }
    }

    private void closeGroup(int line) {
        int depth = depth(top);
        top--;
        deepestChild[top] = Math.max(deepestChild[top], depth);
        check(line);
    }

    private void operator(int line) {
        opsInArgument[top]++;
        // n operators in a row nest n + 1 deep, counting the innermost operand.
        if (opsInArgument[top] + 1 > MAX_TERM_DEPTH) {
            throw tooDeep(line, "operators nested more than " + MAX_TERM_DEPTH + " deep");
        }
        check(line);
    }

    private void check(int line) {
        if (depth(top) > MAX_TERM_DEPTH) {
            throw tooDeep(line, "term nested more than " + MAX_TERM_DEPTH + " deep");
        }
    }

    private int depth(int group) {
        return Math.max(opsInArgument[group], mostOpsInAnArgument[group]) + 1 + deepestChild[group];
    }

    private void count(int line) {
        if (++tokens > MAX_CLAUSE_TOKENS) {
            throw new MachineDescriptionException(sourceName, line,
                    "clause has more than " + MAX_CLAUSE_TOKENS + " tokens");
        }
    }

    private void reset(int group, boolean isArgumentList) {
        opsInArgument[group] = 0;
        mostOpsInAnArgument[group] = 0;
        deepestChild[group] = 0;
        argumentList[group] = isArgumentList;
    }

    private MachineDescriptionException tooDeep(int line, String what) {
        return new MachineDescriptionException(sourceName, line, what);
    }
}
