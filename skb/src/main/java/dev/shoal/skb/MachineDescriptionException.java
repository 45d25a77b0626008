package dev.shoal.skb;

/**
 * A machine could not be loaded: an unknown machine name, a bad {@code numa:PxC} form, an unreadable file, or a
 * description that does not parse or does not make sense.
 *
 * <p>{@link #getMessage()} is always one complete line meant for the user, in the compiler convention
 * {@code file:line: problem} when the problem has a place (for example
 * {@code bad.pl:7: core(3, 9): package 9 is not declared}). Callers print the message, never the stack trace.
 * Problems about something absent (a missing {@code machine/3} fact) are reported at the last line of the file,
 * where the fact was still expected.
 */
public final class MachineDescriptionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Line number used when a problem has no place in a file. */
    public static final int NO_LINE = 0;

    private final String source;
    private final int line;

    /** A problem at {@code line} of {@code source} (a file path or a built-in machine's resource name). */
    MachineDescriptionException(String source, int line, String problem) {
        super(oneLine(source + ":" + line + ": " + problem));
        this.source = source;
        this.line = line;
    }

    /** A problem with no place in a file, such as an unknown machine name. */
    MachineDescriptionException(String message) {
        super(oneLine(message));
        this.source = "";
        this.line = NO_LINE;
    }

    /** The file (or built-in resource) the problem is in; empty when the problem is not about a file. */
    public String source() {
        return source;
    }

    /** The 1-based line of the problem, or {@link #NO_LINE}. */
    public int line() {
        return line;
    }

    /** Longest piece of the user's text quoted in a message; longer pieces are cut and end in "...". */
    static final int MAX_EXCERPT = 80;

    /** {@code text} cut to {@link #MAX_EXCERPT} characters, so a huge clause does not make a huge message. */
    static String excerpt(String text) {
        return excerpt(text, MAX_EXCERPT);
    }

    /** Another component's reason (Projog's), which may quote a whole token, cut to twice {@link #MAX_EXCERPT}. */
    static String excerptReason(String reason) {
        return excerpt(String.valueOf(reason), 2 * MAX_EXCERPT);
    }

    private static String excerpt(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    // Projog's own messages can span lines; a user-facing message must not.
    private static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
