package dev.shoal.skb;

import java.util.ArrayList;
import java.util.List;

import org.projog.core.parser.Operands;
import org.projog.core.parser.ParserException;
import org.projog.core.parser.SentenceParser;
import org.projog.core.term.Term;

/**
 * Reads Prolog source text into clauses that remember the line they start on.
 *
 * <p>Projog's parser does not say where a clause came from, yet a bad fact must be reported by line. So the
 * text is also cut into clauses here (a clause ends at a {@code .} followed by layout, a {@code %} or the end
 * of the text, outside quotes and comments), and the n-th clause Projog parses gets the n-th clause's line.
 * Stateless; safe to call from any thread.
 */
final class PrologSource {

    /** One parsed clause and the 1-based line its first character is on. */
    record Clause(Term term, int line) {
    }

    private static final String SYMBOL_CHARS = "+-*/\\^<>=~:.?@#&$";

    private PrologSource() {
    }

    /**
     * Parses every clause of {@code text}.
     *
     * @param sourceName the name used in error messages (a file path or a resource name)
     * @param operands the operator table of the engine the clauses are meant for
     * @throws MachineDescriptionException naming the line of the first syntax error
     */
    static List<Clause> parse(String sourceName, String text, Operands operands) {
        List<String> texts = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        Splitter splitter = new Splitter(sourceName, text, new ClauseShapeGuard(sourceName, operands));
        for (String clauseText = splitter.next(); clauseText != null; clauseText = splitter.next()) {
            texts.add(clauseText);
            lines.add(splitter.clauseLine());
        }
        // One parser over the whole text allocates far less than one per clause (each has its own 8 KB
        // buffer), which matters for numa:64x64's 8,000 clauses. Its terms pair with the splitter's lines
        // unless the two disagree about where clauses end; then parse clause by clause to keep lines exact.
        List<Term> terms = new ArrayList<>(texts.size());
        try {
            SentenceParser parser = SentenceParser.getInstance(text, operands);
            while (parser.hasNext()) {
                terms.add(parser.parseSentence());
            }
        } catch (ParserException e) {
            throw new MachineDescriptionException(sourceName, e.getLineNumber(), "syntax error: " + describe(e));
        } catch (RuntimeException e) {
            terms = null;
        }
        if (terms == null || terms.size() != texts.size()) {
            return parseEach(sourceName, texts, lines, operands);
        }
        List<Clause> clauses = new ArrayList<>(terms.size());
        for (int i = 0; i < terms.size(); i++) {
            clauses.add(new Clause(terms.get(i), lines.get(i)));
        }
        return clauses;
    }

    private static List<Clause> parseEach(String sourceName, List<String> texts, List<Integer> lines, Operands operands) {
        List<Clause> clauses = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            int line = lines.get(i);
            try {
                SentenceParser parser = SentenceParser.getInstance(texts.get(i), operands);
                while (parser.hasNext()) {
                    clauses.add(new Clause(parser.parseSentence(), line));
                }
            } catch (ParserException e) {
                throw new MachineDescriptionException(sourceName, line + e.getLineNumber() - 1,
                        "syntax error: " + describe(e));
            } catch (RuntimeException e) {
                throw new MachineDescriptionException(sourceName, line,
                        "syntax error: " + MachineDescriptionException.excerptReason(e.getMessage()));
            }
        }
        return clauses;
    }

    /** Number of lines in {@code text}, the place to report what was still missing at its end. */
    static int lastLine(String text) {
        int lines = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n' && i < text.length() - 1) {
                lines++;
            }
        }
        return lines;
    }

    // Projog appends " Line: <source line>"; the user has the file open, so keep just the reason and the line.
    private static String describe(ParserException e) {
        String message = e.getMessage() == null ? "cannot parse" : e.getMessage();
        int cut = message.indexOf(" Line:");
        // The reason can quote the offending token in full ("invalid numeric value: 999...").
        String reason = MachineDescriptionException.excerptReason(cut < 0 ? message : message.substring(0, cut));
        String near = e.getLine() == null ? "" : MachineDescriptionException.excerpt(e.getLine().strip());
        reason = reason.isEmpty() ? reason : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
        return near.isEmpty() ? reason : reason + " in '" + near + "'";
    }

    /** Cuts source text into clause texts, tracking the line each starts on. */
    private static final class Splitter {
        private final String sourceName;
        private final String text;
        private final ClauseShapeGuard guard;
        private int pos;
        private int line = 1;
        private int clauseLine;

        Splitter(String sourceName, String text, ClauseShapeGuard guard) {
            this.sourceName = sourceName;
            this.text = text;
            this.guard = guard;
        }

        int clauseLine() {
            return clauseLine;
        }

        /** The next clause's text including its final '.', or null at the end. */
        String next() {
            skipLayoutAndComments();
            if (pos >= text.length()) {
                return null;
            }
            int start = pos;
            clauseLine = line;
            guard.startClause();
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == '\'' || c == '"' || c == '`') {
                    int tokenLine = line;
                    int contentStart = pos + 1;
                    skipQuoted(c);
                    guard.quoted(c == '\'', text.substring(contentStart, pos - 1), tokenLine);
                } else if (c == '%') {
                    skipLineComment();
                    guard.layout();
                } else if (c == '/' && peek(1) == '*') {
                    skipBlockComment();
                    guard.layout();
                } else if (c == '0' && peek(1) == '\'' && !partOfName(pos - 1)) {
                    skipCharacterCode();
                    guard.quoted(false, "", line);
                } else if (c == '.' && endsClause()) {
                    guard.endClause(line);
                    pos++;
                    return text.substring(start, pos);
                } else {
                    token(c);
                }
            }
            throw new MachineDescriptionException(sourceName, clauseLine, "clause does not end with '.'");
        }

        // Feeds one token to the guard. Names and symbol runs are taken whole (a '.' inside a symbol run, as in
        // '=..', never ends a clause, matching endsClause; a '/*' starts a comment); everything else is one
        // character.
        private void token(char c) {
            if (Character.isWhitespace(c)) {
                advance();
                guard.layout();
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                int start = pos;
                while (pos < text.length() && partOfName(pos)) {
                    pos++;
                }
                guard.name(text.substring(start, pos), line);
            } else if (SYMBOL_CHARS.indexOf(c) >= 0) {
                int tokenLine = line;
                do {
                    advance();
                } while (pos < text.length() && SYMBOL_CHARS.indexOf(text.charAt(pos)) >= 0
                        && !(text.charAt(pos) == '/' && peek(1) == '*'));
                guard.symbols(tokenLine);
            } else if (c == '(' || c == '[' || c == '{') {
                advance();
                guard.open(c, line);
            } else if (c == ')' || c == ']' || c == '}') {
                advance();
                guard.close(line);
            } else if (c == ',') {
                advance();
                guard.comma(line);
            } else {
                advance();
                guard.punctuation(c, line);
            }
        }

        private void skipLayoutAndComments() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (Character.isWhitespace(c)) {
                    advance();
                } else if (c == '%') {
                    skipLineComment();
                } else if (c == '/' && peek(1) == '*') {
                    skipBlockComment();
                } else {
                    return;
                }
            }
        }

        // A '.' that continues a symbol atom such as '=..' is not an end; one followed by layout or EOF is.
        private boolean endsClause() {
            char after = peek(1);
            boolean endFollows = after == 0 || Character.isWhitespace(after) || after == '%';
            boolean inSymbolAtom = pos > 0 && SYMBOL_CHARS.indexOf(text.charAt(pos - 1)) >= 0;
            return endFollows && !inSymbolAtom;
        }

        private boolean partOfName(int index) {
            return index >= 0 && (Character.isLetterOrDigit(text.charAt(index)) || text.charAt(index) == '_');
        }

        private void skipQuoted(char quote) {
            int openLine = line;
            advance();
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == '\\') {
                    advance();
                    advance();
                } else if (c == quote && peek(1) == quote) {
                    advance();
                    advance();
                } else if (c == quote) {
                    advance();
                    return;
                } else {
                    advance();
                }
            }
            throw new MachineDescriptionException(sourceName, openLine, "unterminated quoted text starting with " + quote);
        }

        private void skipCharacterCode() {
            advance(); // 0
            advance(); // '
            if (peek(0) == '\\') {
                advance();
            }
            advance();
        }

        // Projog ends a % comment at '\r' as well as '\n'; stopping anywhere later would hide what it parses.
        private void skipLineComment() {
            while (pos < text.length() && text.charAt(pos) != '\n' && text.charAt(pos) != '\r') {
                pos++;
            }
        }

        private void skipBlockComment() {
            int openLine = line;
            advance();
            advance();
            while (pos < text.length()) {
                if (text.charAt(pos) == '*' && peek(1) == '/') {
                    advance();
                    advance();
                    return;
                }
                advance();
            }
            throw new MachineDescriptionException(sourceName, openLine, "unterminated /* comment");
        }

        private char peek(int ahead) {
            int i = pos + ahead;
            return i < text.length() ? text.charAt(i) : 0;
        }

        private void advance() {
            if (pos < text.length()) {
                if (text.charAt(pos) == '\n') {
                    line++;
                }
                pos++;
            }
        }
    }
}
